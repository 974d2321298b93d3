def get_document(store, doc_id, user):
    document = store[doc_id]
    return document
