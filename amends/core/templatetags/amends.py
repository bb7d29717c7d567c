from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """What a GOV.UK field include should draw for this form field's widget."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return str(getattr(widget, "input_type", "text"))


@register.filter
def is_selected(value: object, current: object) -> bool:
    if isinstance(current, list | tuple):
        return str(value) in {str(c) for c in current}
    return str(value) == str(current if current is not None else "")


@register.filter
def lookup(mapping: dict[str, str], key: str) -> str:
    """`{{ labels|lookup:code }}`: the label of a code, or the code itself."""
    return mapping.get(key, key)
