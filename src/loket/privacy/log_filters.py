"""Keeping personal data out of the application logs where Django itself would write it.

At DEBUG, ``django.template`` logs every variable a template could not resolve with the
exception attached, and that exception's text is the whole template context: the person's name,
their register data, their answers. The message (which variable, which template) is what helps;
the filter keeps it and drops the context.
"""

from __future__ import annotations

import logging

from django.template.base import VariableDoesNotExist


class DropTemplateContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], VariableDoesNotExist):
            record.exc_info = None
            record.exc_text = None
        return True


def install() -> None:
    logger = logging.getLogger("django.template")
    if not any(isinstance(f, DropTemplateContext) for f in logger.filters):
        logger.addFilter(DropTemplateContext())
