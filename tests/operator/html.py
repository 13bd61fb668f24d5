"""A tiny HTML tree (standard library only) to look at what a page shows beside a field."""
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CONTAINER_CLASSES = ("field",)


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children: list = []  # Node or str

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return " ".join(" ".join(c.text() if isinstance(c, Node) else c for c in self.children).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag=None, **attrs):
        wanted_class = attrs.pop("class_", None)
        for node in self.iter():
            if tag and node.tag != tag:
                continue
            if wanted_class and wanted_class not in node.classes:
                continue
            if all(node.attrs.get(k) == v for k, v in attrs.items()):
                yield node

    def find(self, tag=None, **attrs):
        return next(self.find_all(tag, **attrs), None)

    def __repr__(self):
        return f"<{self.tag} {self.attrs}>"


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, attrs, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Node:
    if isinstance(html, bytes):
        html = html.decode("utf-8")
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def controls(doc: Node, name: str) -> list[Node]:
    return [n for n in doc.iter() if n.tag in ("input", "select", "textarea") and n.attrs.get("name") == name]


def container_of(doc: Node, name: str) -> Node:
    """The element that holds a field, its label and its messages (div.field, fieldset.field or a table cell)."""
    found = controls(doc, name)
    assert found, f"no control named {name!r} in the page"
    node = found[0].parent
    while node is not None and node.tag != "#document":
        if node.tag == "td" or any(c in node.classes for c in CONTAINER_CLASSES):
            return node
        node = node.parent
    raise AssertionError(f"control {name!r} has no field container")


def errors_beside(doc: Node, name: str) -> list[str]:
    """The error messages shown in the field's container; the container must be flagged has-error."""
    box = container_of(doc, name)
    messages = [p.text() for p in box.find_all("p", class_="error")]
    if messages:
        assert "has-error" in box.classes, f"{name}: errors shown but the container is not flagged has-error"
    return messages


def all_errors(doc: Node) -> list[str]:
    return [p.text() for p in doc.find_all(class_="error")]


def value_of(doc: Node, name: str):
    """What the page shows in a field: the typed text, the selected option, the checked radio or box."""
    found = controls(doc, name)
    assert found, f"no control named {name!r} in the page"
    first = found[0]
    if first.tag == "textarea":
        return first.text()
    if first.tag == "select":
        selected = [o for o in first.find_all("option") if "selected" in o.attrs]
        return selected[0].attrs.get("value") if selected else ""
    kind = first.attrs.get("type", "text")
    if kind == "radio":
        checked = [n for n in found if "checked" in n.attrs]
        return checked[0].attrs.get("value") if checked else None
    if kind == "checkbox":
        return "y" if "checked" in first.attrs else ""
    return first.attrs.get("value", "")


def page_text(response) -> str:
    """The text a person reads (entities decoded, spaces collapsed)."""
    return parse(response.data).text()
