"""What ecr-patterns remembers about one app, kept in the app's own construct tree (no process-global state,
no attributes set on jsii objects).

The first pattern or registry construct of an app adds one plain construct, ``EcrPatterns``, under the app's
root; it holds the app-wide facts (which registry-level settings are defined for which account and region)
and the app's guarantees plugin, which judges every pattern on the final templates at synth. A scope that holds
patterns gets one plain construct too, ``EcrPatternsScope``, which points at the app's state: a pattern finds
it in one call into Node instead of the four that reaching the root takes (about 1 ms a repository on these
machines, measured with cProfile). Neither renders anything into any template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Validations
from constructs import Construct, IConstruct

if TYPE_CHECKING:
    from ecr_patterns.constructs.guarantees import GuaranteesPlugin

STATE_ID = "EcrPatterns"


class AppState(Construct):
    """The app's ecr-patterns state (one per root, found by its id)."""

    def __init__(self, root: Construct) -> None:
        super().__init__(root, STATE_ID)
        self.registry_claims: dict[tuple[str, tuple[str | None, str | None]], str] = {}
        """(kind, environment) -> path of the construct that defines it."""
        self._plugin: GuaranteesPlugin | None = None

    def guarantees(self) -> GuaranteesPlugin:
        """The app's guarantees plugin, registered with the app on first use. CDK runs validation plugins only
        for an ``App`` root (``core/lib/private/synthesis-validation.js``: ``validateTemplates`` returns for any
        other root), which every ``cdk synth`` has."""
        if self._plugin is None:
            from ecr_patterns.constructs.guarantees import GuaranteesPlugin

            self._plugin = GuaranteesPlugin()
            Validations.of(self.node.scope).add_plugins(self._plugin)  # type: ignore[arg-type]
        return self._plugin


def app_state(scope: IConstruct) -> AppState:
    """The state of ``scope``'s app, made on first use."""
    root = scope.node.root
    found = root.node.try_find_child(STATE_ID)
    if isinstance(found, AppState):
        return found
    if found is not None:
        raise RuntimeError(f"the app's root already has a child named {STATE_ID!r} that is not ecr-patterns' state")
    return AppState(root)  # type: ignore[arg-type]


SCOPE_STATE_ID = "EcrPatternsScope"


class ScopeState(Construct):
    """What the patterns of one scope share: the app's state, and the scope's context read once (a scope's
    context cannot change once it has children: ``constructs`` refuses ``set_context`` then)."""

    def __init__(self, scope: Construct) -> None:
        super().__init__(scope, SCOPE_STATE_ID)
        self.app = app_state(scope)
        self.app.guarantees()
        self._context: dict[str, object] = {}
        self._path: str | None = None

    def path_of(self, id: str) -> str:
        """The construct path of the scope's child ``id`` (the scope's path read from Node once)."""
        if self._path is None:
            self._path = str(self.node.scope.node.path)  # type: ignore[union-attr]
        return f"{self._path}/{id}" if self._path else id

    def context(self, key: str) -> object:
        """The scope's context value ``key``, read from Node once."""
        if key not in self._context:
            self._context[key] = self.node.scope.node.try_get_context(key)  # type: ignore[union-attr]
        return self._context[key]


def scope_state(scope: IConstruct) -> ScopeState:
    """The state shared by the patterns of ``scope``, made on first use (its app's guarantees plugin registered)."""
    found = scope.node.try_find_child(SCOPE_STATE_ID)
    if isinstance(found, ScopeState):
        return found
    if found is not None:
        raise RuntimeError(f"{scope.node.path} already has a child named {SCOPE_STATE_ID!r}")
    return ScopeState(scope)  # type: ignore[arg-type]
