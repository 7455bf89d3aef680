"""The preview's last decisions, after the rules (plain Python): referrers follow their subject, and what a
remaining image index references stays.

The two feed each other: an index may be a referrer's subject, a referrer may be an index's child, an index
may reference an index. :class:`Settle` applies both until nothing changes. Every change it makes turns a
marked image into a kept one, so it ends, and where it ends does not depend on the order of the input.

The sentences it follows (ECR User Guide):

- "If an image is referenced by a manifest list, it cannot be expired or archived without the manifest list
  being deleted or archived first." An index blocks its children while it stays active: kept and not in
  archive. One that is already archived, or expires or is archived in this run, blocks nothing (read alike for
  both actions: its children go in the same run when their own rule marks them).
- Image signing: lifecycle policies "automatically expire or archive those artifacts within 24 hours of the
  deletion or archival of the subject image", and "the artifact must also remain in its current storage
  class for at least 24 hours before Amazon ECR lifecycle policies can clean it up". A referrer follows its
  own subject's final state: deleted (not listed) or expiring, archived or archiving, or kept; one that
  entered its storage class less than 24 hours ago is kept and named due soon.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

_DAY = 86_400.0

Outcome = tuple[int | None, str, str]
"""(rule priority, decision, reason), as the preview keeps them."""


def _short(digest: str) -> str:
    return digest.split(":")[-1][:12]


class Settle:
    """Referrers and index children settled together; see the module docstring.

    ``outcomes`` and ``ids`` are the preview's (``ids[i]`` indexes ``outcomes`` for image ``i``, by rank);
    :meth:`run` changes ``ids`` and appends to ``outcomes``. ``in_class_since`` gives each referrer's entry
    into its storage class: its archiving when archived, else its push or restore."""

    def __init__(
        self,
        digests: Sequence[str],
        archive: Sequence[bool],
        in_class_since: Mapping[int, float],
        subject_of: dict[int, int],
        orphans: dict[int, str],
        parents_of: dict[int, list[int]],
        now_ts: float,
    ) -> None:
        self.digests, self.archive, self.since = digests, archive, in_class_since
        self.subject_of, self.orphans, self.parents_of = subject_of, orphans, parents_of
        self.now_ts = now_ts
        self.order = _chain_order(subject_of, orphans)

    def run(self, outcomes: list[Outcome], ids: list[int]) -> set[int]:
        """Settle ``ids``; return the referrers kept only because they entered their storage class less
        than 24 hours ago (due soon)."""
        protected: set[int] = set()
        held: set[int] = set()
        changed: set[int] | None = None  # None: every referrer; then those whose subject changed
        while True:
            self._follow(outcomes, ids, protected, held, changed)
            new = [
                k
                for k, parents in self.parents_of.items()
                if k not in protected
                and outcomes[ids[k]][1] != "KEEP"
                and any(self._remains(p, outcomes, ids) for p in parents)
            ]
            if not new:
                break
            changed = set(new)
            for k in new:
                protected.add(k)
                held.discard(k)
                marked_by = outcomes[ids[k]][0]
                ids[k] = len(outcomes)
                outcomes.append((marked_by, "KEEP", ""))  # the reason once every index is settled
        for k in protected:
            # Named by the least digest among the indexes that remain: the same whatever the input order.
            parent = min(self.digests[p] for p in self.parents_of[k] if self._remains(p, outcomes, ids))
            why = (
                f"referenced by the image index {_short(parent)}, which remains: ECR does not expire or archive an "
                "image a manifest list references"
            )
            outcomes[ids[k]] = (outcomes[ids[k]][0], "KEEP", why)
        return held

    def _remains(self, position: int, outcomes: list[Outcome], ids: list[int]) -> bool:
        """An index that stays active (kept, not in archive) blocks what it references."""
        return outcomes[ids[position]][1] == "KEEP" and not self.archive[position]

    def _follow(
        self,
        outcomes: list[Outcome],
        ids: list[int],
        protected: set[int],
        held: set[int],
        changed: set[int] | None,
    ) -> None:
        """Each referrer after its subject (chain order), from its subject's state now; after the first round
        only those whose subject changed (``changed`` grows with the referrers that change in turn). ``held``
        keeps the referrers the 24-hour rule holds."""
        for r in self.order:
            if r in protected or (changed is not None and self.subject_of.get(r) not in changed):
                continue
            before = outcomes[ids[r]][:2]
            priority, decision, why = self._target(r, outcomes, ids)
            held.discard(r)
            if decision != "KEEP" and self.now_ts - self.since[r] < _DAY:
                hours = (self.now_ts - self.since[r]) / 3600
                why += (
                    f"; but a referrer must remain in its storage class for 24 hours before ECR cleans it up, "
                    f"and it has been there {hours:.1f} hours"
                )
                decision = "KEEP"
                held.add(r)
            ids[r] = len(outcomes)
            outcomes.append((priority, decision, why))
            if changed is not None and before != (priority, decision):
                changed.add(r)

    def _target(self, r: int, outcomes: list[Outcome], ids: list[int]) -> Outcome:
        """What the referrer's subject's state asks of it."""
        s = self.subject_of.get(r)
        if s is None:
            why = f"a referrer of {_short(self.orphans[r])}, which is not listed (deleted): ECR expires referrers"
            return None, "EXPIRE", f"{why} within 24 hours of the deletion of their subject"
        priority, decision, _ = outcomes[ids[s]]
        head = f"a referrer of {_short(self.digests[s])}: ECR acts on referrers with their subject, which"
        if decision == "EXPIRE":
            return priority, "EXPIRE", f"{head} expires"
        if decision == "KEEP" and not self.archive[s]:
            return priority, "KEEP", f"{head} is kept"
        # The subject is archived in this run (its rule) or was archived before (by hand or earlier).
        if decision == "KEEP":
            priority, state = None, "is in archive"
        else:
            state = "is archived"
        if self.archive[r]:
            return priority, "KEEP", f"{head} {state}; it is in archive already"
        return priority, "TRANSITION", f"{head} {state}"


def _chain_order(subject_of: dict[int, int], orphans: dict[int, str]) -> list[int]:
    """The referrers, each after its subject when that is a referrer too. A referrer on a cycle, which no
    registry can hold (a digest names its content, subject included), is left out: it keeps its outcome."""
    depth: dict[int, int] = dict.fromkeys(orphans, 0)
    for start in subject_of:
        path: list[int] = []
        node = start
        while node in subject_of and node not in depth and node not in path:
            path.append(node)
            node = subject_of[node]
        if node in path:  # a cycle: the nodes on it and before it have no depth
            continue
        base = depth.get(node, -1)  # -1: the chain ends at an image that is not a referrer
        for k in reversed(path):
            base += 1
            depth[k] = base
    # Sorted by (depth, position): the same order whatever the input order.
    return sorted(depth, key=lambda k: (depth[k], k))
