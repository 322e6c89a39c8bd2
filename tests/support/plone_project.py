"""New revisions of the sample Plone project that a test can see served.

`commit_revision(repo, label)` commits, into a git checkout of examples/plone/project, a small
local add-on (`revision_view/`, listed in requirements.txt) whose browser view
`@@stackworks-revision` answers `label`. Plone includes it by itself (plone.autoinclude reads
its `z3c.autoinclude.plugin` entry point), so a client answers the view only once it runs a
release built from that commit: before, the view is a 404; after a second commit with another
label, the new label. The add-on needs no profile and changes nothing in the ZODB.
`project_repository` makes the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from support.plone_builds import PROJECT
from support.web import git

VIEW = "@@stackworks-revision"
ADDON = "revision_view"
MODULE = "stackworks_revision_view"
REQUIREMENT = f"./{ADDON}"

PYPROJECT = f"""\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "stackworks-revision-view"
version = "1.0"
description = "Answers the revision label of the Stackworks e2e deploys"

[project.entry-points."z3c.autoinclude.plugin"]
target = "plone"
module = "{MODULE}"

[tool.setuptools]
packages = ["{MODULE}"]

[tool.setuptools.package-data]
{MODULE} = ["configure.zcml", "label.txt"]
"""

INIT = '''\
"""The revision view: the label this release was built with."""

from pathlib import Path

LABEL = (Path(__file__).parent / "label.txt").read_text().strip()


class RevisionView:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def __call__(self):
        self.request.response.setHeader("Content-Type", "text/plain")
        self.request.response.setHeader("Cache-Control", "no-store")
        return LABEL
'''

ZCML = """\
<configure
    xmlns="http://namespaces.zope.org/zope"
    xmlns:browser="http://namespaces.zope.org/browser">
  <browser:page
      for="*"
      name="stackworks-revision"
      class=".RevisionView"
      permission="zope2.View"
      />
</configure>
"""


def commit_revision(repo: Path, label: str) -> str:
    """A new commit of `repo` whose clients answer `label` at @@stackworks-revision; its sha."""
    package = repo / ADDON / MODULE
    package.mkdir(parents=True, exist_ok=True)
    (repo / ADDON / "pyproject.toml").write_text(PYPROJECT)
    (package / "__init__.py").write_text(INIT)
    (package / "configure.zcml").write_text(ZCML)
    (package / "label.txt").write_text(label + "\n")
    requirements = repo / "requirements.txt"
    lines = requirements.read_text().splitlines()
    if REQUIREMENT not in lines:
        requirements.write_text("\n".join([*lines, REQUIREMENT]) + "\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"revision view answers {label}")
    return git(repo, "rev-parse", "HEAD")


def project_repository(where: Path, source: Path = PROJECT) -> Path:
    """A copy of the sample project (`source`) committed on branch main at `where`."""
    shutil.copytree(source, where)
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "-m", "the sample Plone project")
    return where
