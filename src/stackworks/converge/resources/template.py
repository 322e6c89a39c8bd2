"""template[path]: a file rendered from a Jinja2 template in the cookbook's templates/.

StrictUndefined: a variable the template uses but nobody set fails the resource, naming the
template file and line, rather than quietly rendering an empty string. The template sees its
`variables` plus `node` and `stack`.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import jinja2

from stackworks.converge.resource import ResourceError
from stackworks.converge.resources.file import File

if TYPE_CHECKING:
    from stackworks.converge.context import Context


@dataclass(eq=False, kw_only=True)
class Template(File):
    kind: ClassVar[str] = "template"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "delete")

    templates_dir: Path | None = None
    variables: Mapping[str, Any] = field(default_factory=dict)

    def template_path(self) -> Path:
        source = Path(self.source or "")
        if not source.is_absolute() and self.templates_dir is not None:
            source = self.templates_dir / source
        return source

    def desired_content(self, ctx: Context) -> bytes | None:
        path = self.template_path()
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(path.parent)),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
        )
        try:
            template = environment.get_template(path.name)
            text = template.render({"node": ctx.node, "stack": ctx.stack, **self.variables})
        except jinja2.TemplateNotFound:
            raise ResourceError(f"{self}: template {path} does not exist") from None
        except jinja2.TemplateSyntaxError as error:
            where = f"{error.filename or path}:{error.lineno}"
            raise ResourceError(f"{self}: template {where}: {error.message}") from None
        except Exception as error:
            line = _template_line(error, path)
            where = f"{path}:{line}" if line else str(path)
            raise ResourceError(f"{self}: template {where}: {error}") from None
        return text.encode()


def _template_line(error: BaseException, path: Path) -> int | None:
    """Jinja rewrites tracebacks to point into the template; find its deepest line there."""
    found = None
    for entry in traceback.extract_tb(error.__traceback__):
        if entry.filename == str(path):
            found = entry.lineno
    return found
