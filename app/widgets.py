"""Form widgets shared by the forms of both faces."""
from markupsafe import Markup, escape
from wtforms.widgets import Select, html_params


class LongListSelect(Select):
    """A <select> over a long, fixed list (the ~250 countries): its options are rendered once per list and
    language, then only `selected` is placed. WTForms builds every option of every such field on every
    request: 10 ms a field, and the REX form has three or more (bench/load/run.py's profile).

    The markup is WTForms' own: `<option value="FR">France</option>`, `<option selected value="FR">`."""

    MAX_LISTS = 16  # a few lists times two languages; never grows with the requests
    _rendered: dict[tuple, str] = {}

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        options = self._options(tuple((str(value), str(label)) for value, label in field.choices))
        if field.data is not None:
            value = escape(str(field.data))
            options = options.replace(f'<option value="{value}">', f'<option selected value="{value}">', 1)
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")

    @classmethod
    def _options(cls, choices: tuple[tuple[str, str], ...]) -> str:
        rendered = cls._rendered.get(choices)
        if rendered is None:
            if len(cls._rendered) >= cls.MAX_LISTS:
                cls._rendered.clear()
            rendered = "".join(f'<option value="{escape(value)}">{escape(label or value)}</option>'
                               for value, label in choices)
            cls._rendered[choices] = rendered
        return rendered
