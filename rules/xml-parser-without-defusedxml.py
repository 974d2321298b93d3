import xml.etree.ElementTree as ET
import xml.dom.minidom
import xml.sax
from xml.dom.minidom import parseString
from lxml import etree
import defusedxml.ElementTree as DET
import defusedxml.minidom


def load(body, path, handler):
    # ruleid: xml-parser-without-defusedxml
    root = ET.fromstring(body)

    # ruleid: xml-parser-without-defusedxml
    tree = ET.parse(path)

    # ruleid: xml-parser-without-defusedxml
    doc = xml.dom.minidom.parseString(body)

    # ruleid: xml-parser-without-defusedxml
    doc2 = parseString(body)

    # ruleid: xml-parser-without-defusedxml
    xml.sax.parse(path, handler)

    # ruleid: xml-parser-without-defusedxml
    node = etree.fromstring(body)

    # ruleid: xml-parser-without-defusedxml
    tree2 = etree.parse(path)

    # ruleid: xml-parser-without-defusedxml
    parser = etree.XMLParser(recover=True)

    # ok: xml-parser-without-defusedxml
    root = DET.fromstring(body)

    # ok: xml-parser-without-defusedxml
    doc = defusedxml.minidom.parseString(body)

    safe_parser = etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: xml-parser-without-defusedxml
    node = etree.fromstring(body, safe_parser)

    # ok: xml-parser-without-defusedxml
    text = ET.tostring(root, encoding="unicode")

    # ok: xml-parser-without-defusedxml
    el = ET.Element("item", name="x")
    return tree, doc, doc2, node, tree2, parser, text, el
