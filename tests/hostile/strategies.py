"""Hostile inputs for the property-based tests: control characters, NUL bytes, RTL marks, markup, SQL,
emojis, very long strings, numbers out of range and dates that do not exist."""
import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.operator.html import Node, parse, value_of

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])
FEW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])

SCRIPT = "<script>alert(1)</script><img src=x onerror=alert(1)>"
NASTY = [
    SCRIPT, "\"><svg onload=alert(1)>", "' OR '1'='1", "'; DROP TABLE application; --", "1 UNION SELECT password_hash FROM \"user\"",
    "\u202eevil\u202c", "\u200f\u200e", "😀🇫🇷👩‍👩‍👧", "\r\nBcc: x@y", "%s%n%x", "{{7*7}}{% raw %}",
    "../../etc/passwd", "C:\\x\\y", "-1", "0", "2147483648", "99999999999999999999", "1e308", "NaN", "-0",
    "2026-02-30", "0000-00-00", "9999-99-99", "31/02/2026", "1900-01-01", "10000-01-01", " ", "\t\n", "\ufeff",
    "a" * 5000, "é" * 2500, "\x7f\x1b[31m", "\x00", "Durand\x00Jeanne", "null", "None", "True", "[]", "{}",
]
# Any unicode text that a browser could post (surrogates cannot be encoded), control characters and NUL
# included (PostgreSQL cannot store a NUL: app/forms.py refuses it beside its field).
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
long_text = st.builds(lambda s, n: ((s or "x") * n)[:5000], any_text, st.integers(100, 5000))
hostile = st.one_of(st.sampled_from(NASTY), any_text, long_text)


@st.composite
def mutated(draw, base: dict, protected=("action",), max_fields=4):
    """The base form with a few fields replaced by hostile text, left out or posted twice.
    Returns (data, the names touched)."""
    names = sorted(k for k in base if k not in protected)
    data = dict(base)
    touched = draw(st.lists(st.sampled_from(names), min_size=1, max_size=max_fields, unique=True))
    for name in touched:
        kind = draw(st.sampled_from(["text", "text", "missing", "repeat"]))
        if kind == "text":
            data[name] = draw(hostile)
        elif kind == "missing":
            del data[name]
        else:
            data[name] = [draw(hostile), base[name]] if draw(st.booleans()) else [base[name], draw(hostile)]
    return data, set(touched)


def _has_control(node: Node) -> bool:
    return any(n.tag in ("input", "select", "textarea") for n in node.iter())


def assert_errors_beside_fields(doc: Node):
    """Every error message of the page sits beside a field: its nearest container holding a control is a
    field box (div/fieldset .field, table cell or form section), not the whole form or page."""
    for error in doc.find_all(class_="error"):
        node = error.parent
        while node is not None and node.tag != "#document" and not _has_control(node):
            node = node.parent
        assert node is not None and node.tag not in ("#document", "form", "body", "main", "html"), \
            f"error {error.text()!r} is not beside a field"


def shown_name(name: str, typed: dict) -> str:
    """The name a posted field has on the page sent back: the rows of a list are numbered again in order, so
    when every field of goods-0 was left out, what was typed as goods-1 is shown as goods-0 (WTForms)."""
    row = re.fullmatch(r"(contacts|goods)-(\d+)-(\w+)", name)
    if row is None:
        return name
    list_name, index, field = row.groups()
    posted = sorted({int(m.group(1)) for key in typed if (m := re.fullmatch(rf"{list_name}-(\d+)-\w+", key))})
    return f"{list_name}-{posted.index(int(index))}-{field}"


def assert_kept(doc: Node, typed: dict, touched: set, free_text: set):
    """Each free-text field the draw left alone shows what was typed."""
    for name in free_text - touched:
        if name in typed:
            assert value_of(doc, shown_name(name, typed)) == typed[name], name


def page(response) -> Node:
    return parse(response.data)
