from flask import abort, request
from flask_login import current_user


def delete_project(user, project):
    # ruleid: assert-used-for-authorization
    assert user.is_admin
    project.delete()


def update_invoice(request, invoice):
    # ruleid: assert-used-for-authorization
    assert request.user.has_perm("billing.change_invoice"), "forbidden"
    invoice.save()


def view_secret(user):
    # ruleid: assert-used-for-authorization
    assert "admin" in user.roles
    return "secret"


def edit_doc(doc):
    # ruleid: assert-used-for-authorization
    assert current_user.is_authenticated and doc.owner_id == current_user.id
    return doc


def transfer(account, user):
    # ruleid: assert-used-for-authorization
    assert user.can_transfer(account), "not allowed"
    return account


def safe_delete(user, project):
    # ok: assert-used-for-authorization
    if not user.is_admin:
        abort(403)
    # ok: assert-used-for-authorization
    assert project is not None
    project.delete()


def parse(values, role):
    # ok: assert-used-for-authorization
    assert isinstance(values, list), "values must be a list"
    # ok: assert-used-for-authorization
    assert len(values) > 0
    # ok: assert-used-for-authorization
    assert "controller" in values
    # ok: assert-used-for-authorization
    assert role is SERVER
    return values


def test_admin_can_delete(admin_user):
    # ok: assert-used-for-authorization
    assert admin_user.is_admin
