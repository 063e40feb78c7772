"""One collaborator in writing a usage example, and how it reaches the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from howto_ls.offline.example import Team
    from howto_ls.offline.example.arguments import Arguments
    from howto_ls.offline.example.callables import Callables
    from howto_ls.offline.example.calls import Calls
    from howto_ls.offline.example.classes import Classes
    from howto_ls.offline.example.importer import Importer
    from howto_ls.offline.example.instances import Instances
    from howto_ls.offline.example.mined import Mined
    from howto_ls.offline.example.shapes import Shapes
    from howto_ls.offline.example.stubs import Stubs
    from howto_ls.offline.example.values import Values


class Part:
    """A collaborator of ``team``: reads and extends the shared draft (``team.draft``) and asks
    the other collaborators for what is their job."""

    def __init__(self, team: Team) -> None:
        self.team = team
        self.draft = team.draft

    @property
    def arguments(self) -> Arguments:
        """The team's :class:`Arguments`."""
        return self.team.arguments

    @property
    def callables(self) -> Callables:
        """The team's :class:`Callables`."""
        return self.team.callables

    @property
    def calls(self) -> Calls:
        """The team's :class:`Calls`."""
        return self.team.calls

    @property
    def classes(self) -> Classes:
        """The team's :class:`Classes`."""
        return self.team.classes

    @property
    def importer(self) -> Importer:
        """The team's :class:`Importer`."""
        return self.team.importer

    @property
    def instances(self) -> Instances:
        """The team's :class:`Instances`."""
        return self.team.instances

    @property
    def mined(self) -> Mined:
        """The team's :class:`Mined`."""
        return self.team.mined

    @property
    def shapes(self) -> Shapes:
        """The team's :class:`Shapes`."""
        return self.team.shapes

    @property
    def stubs(self) -> Stubs:
        """The team's :class:`Stubs`."""
        return self.team.stubs

    @property
    def values(self) -> Values:
        """The team's :class:`Values`."""
        return self.team.values
