"""Who should be invited: talents ranked by how well their work fits the event.

The ranking is the knowledge base's hybrid search (the same one researchers
use), queried with the event's title, topics and description and filtered by
its audience criteria, so the suggestions come with the evidence (research
directions, outputs) that made each talent fit. On top of that:

- organizers add or remove people by hand (``EventAudienceEntry``), and a
  hand-made choice wins over the ranking;
- talents who opted out of event invitations, and talents whose certification
  is no longer valid, are never suggested; they are listed as excluded, with
  the reason, so the organizer sees why someone expected is missing.

Because exclusions are applied after the search, the search is over-fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.actors import Actor
from kb.audit import audit
from kb.events.enums import AudienceAction
from kb.models import Event, EventRegistration, Talent, utcnow
from kb.models.event import EventAudienceEntry
from kb.notifications.reach import accounts_of
from kb.permissions import require
from kb.talents.lookup import LOOKUP_LIMIT, by_external_id, talents_named, the_one_named

MAX_DESCRIPTION_IN_QUERY = 1000
MAX_PAGES = 3
PAGE_CAP = 100  # the search returns at most 100 per page

# Reasons a talent is not suggested, in the order they are checked.
EXCLUSION_REASONS = ("opted_out", "not_certified", "removed")


@dataclass(frozen=True)
class Candidate:
    talent: Talent
    source: str  # "search" | "manual"
    score: float | None = None
    evidence: tuple[Any, ...] = ()
    status: str | None = None  # the talent's registration status for this event, if any
    reachable: bool = True  # has an account, so an invitation reaches it
    match: str | None = None  # strong / partial / weak from the search; None when added by hand


@dataclass(frozen=True)
class Excluded:
    talent: Talent
    reason: str  # one of EXCLUSION_REASONS
    source: str
    score: float | None = None
    evidence: tuple[Any, ...] = ()
    match: str | None = None


@dataclass
class Audience:
    query: str
    categories: tuple[str, ...]
    fields: tuple[str, ...]
    suggestions: list[Candidate] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    total_matches: int = 0
    #: Of those, the talents the search found to match well (strong or partial; they come first).
    matched: int = 0


def audience_query(event: Event) -> str:
    """Title, topics and (the start of) the description: what the event is about."""
    parts = [event.title, " ".join(event.topics or []), (event.description or "")[:MAX_DESCRIPTION_IN_QUERY]]
    return " ".join(p.strip() for p in parts if p and p.strip())


def exclusion_reason(talent: Talent, removed: bool = False) -> str | None:
    if not talent.accepts_event_invitations:
        return "opted_out"
    if talent.certification_status != "certified":
        return "not_certified"
    if removed:
        return "removed"
    return None


def _entries(session: Session, event: Event) -> dict[int, str]:
    rows = session.scalars(select(EventAudienceEntry).where(EventAudienceEntry.event_id == event.id))
    return {row.talent_id: row.action for row in rows}


def suggest_audience(
    session: Session, search: Any, actor: Actor, event: Event, *,
    categories: tuple[str, ...] | list[str] | None = None, fields: tuple[str, ...] | list[str] | None = None,
    limit: int = 30,
) -> Audience:
    """Rank talents for ``event``; ``search`` is the knowledge base's ``ExpertSearch``.

    ``categories``/``fields`` narrow the list (``None`` uses the event's audience
    criteria, an empty tuple means no filter).
    """
    from indexer import SearchQuery

    require(actor, "event.manage", event)
    cats = tuple(event.audience_categories if categories is None else categories)
    flds = tuple(event.audience_fields if fields is None else fields)
    result = Audience(query=audience_query(event), categories=cats, fields=flds)
    entries = _entries(session, event)
    statuses = dict(session.execute(
        select(EventRegistration.talent_id, EventRegistration.status).where(EventRegistration.event_id == event.id)
    ).all())
    seen: set[int] = set()

    manual = [tid for tid, action in entries.items() if action == "add"]
    for talent in session.scalars(select(Talent).where(Talent.id.in_(manual)).order_by(Talent.name)):
        _place(result, talent, "manual", None, (), statuses, removed=False)
        seen.add(talent.id)

    page_size = min(max(limit * 3, limit + 20), PAGE_CAP)
    offset = 0
    for _page in range(MAX_PAGES):
        response = search.search(SearchQuery(result.query, categories=cats, fields=flds, offset=offset,
                                             limit=page_size, with_facets=False))
        result.total_matches = int(getattr(response, "total", len(response.results)))
        result.matched = int(getattr(response, "matched", result.total_matches))
        by_external = {t.external_id: t for t in session.scalars(
            select(Talent).where(Talent.external_id.in_([r.talent_id for r in response.results])))}
        for hit in response.results:
            found = by_external.get(hit.talent_id)
            if found is None or found.id in seen:
                continue
            seen.add(found.id)
            _place(result, found, "search", hit.score, tuple(hit.evidence or ()), statuses,
                   removed=entries.get(found.id) == "remove", match=getattr(hit, "match", None))
        offset += len(response.results)
        if len(result.suggestions) >= limit + len(manual) or not response.results or offset >= result.total_matches:
            break
    result.suggestions = result.suggestions[: limit + len(manual)]

    removed = [tid for tid, action in entries.items() if action == "remove" and tid not in seen]
    for talent in session.scalars(select(Talent).where(Talent.id.in_(removed))):
        result.excluded.append(Excluded(talent, exclusion_reason(talent, removed=True) or "removed", "manual"))
    reachable = accounts_of(session, (c.talent.id for c in result.suggestions))
    result.suggestions = [
        Candidate(c.talent, c.source, c.score, c.evidence, c.status, c.talent.id in reachable, c.match)
        for c in result.suggestions
    ]
    return result


def _place(result: Audience, talent: Talent, source: str, score: float | None, evidence: tuple[Any, ...],
           statuses: dict[int, str], *, removed: bool, match: str | None = None) -> None:
    reason = exclusion_reason(talent, removed)
    if reason:
        result.excluded.append(Excluded(talent, reason, source, score, evidence, match))
    else:
        result.suggestions.append(Candidate(talent, source, score, evidence, statuses.get(talent.id), match=match))


def _set_entry(session: Session, actor: Actor, event: Event, talent: Talent, action: str | None) -> None:
    require(actor, "event.manage", event)
    row = session.scalar(select(EventAudienceEntry).where(
        EventAudienceEntry.event_id == event.id, EventAudienceEntry.talent_id == talent.id))
    if action is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(EventAudienceEntry(event_id=event.id, talent_id=talent.id, action=action,
                                       by_user_id=actor.user_id))
    else:
        row.action, row.by_user_id, row.at = action, actor.user_id, utcnow()
    session.flush()
    audit(session, actor, f"event.audience_{action or 'reset'}", "event", event.id, {"talent": talent.external_id})


def change_audience(session: Session, actor: Actor, event: Event, talent: Talent, action: AudienceAction) -> None:
    """An organizer's hand change to the list: the one entry point the page and the API both call."""
    {AudienceAction.ADD: add_to_audience, AudienceAction.REMOVE: remove_from_audience,
     AudienceAction.RESET: reset_audience_entry}[action](session, actor, event, talent)


def add_to_audience(session: Session, actor: Actor, event: Event, talent: Talent) -> None:
    """Put a talent on the list by hand (the ranking did not find it, or too low)."""
    _set_entry(session, actor, event, talent, AudienceAction.ADD.value)


def remove_from_audience(session: Session, actor: Actor, event: Event, talent: Talent) -> None:
    """Take a talent off the list by hand; it shows as excluded, reason ``removed``."""
    _set_entry(session, actor, event, talent, AudienceAction.REMOVE.value)


def reset_audience_entry(session: Session, actor: Actor, event: Event, talent: Talent) -> None:
    """Undo a hand-made add or remove: the ranking decides again."""
    _set_entry(session, actor, event, talent, None)


# --- adding by name ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceChoice:
    """A talent a typed name found, with the reason he would not be invited (None: he can be)."""

    talent: Talent
    reason: str | None


@dataclass(frozen=True)
class NamedAdd:
    """What adding a typed name came to: ``added`` the talent, or nothing changed because the
    name fits nobody (no ``choices``), several people (``choices`` to pick from), or a talent
    who cannot be invited (``refused`` with its ``reason``)."""

    added: Talent | None = None
    refused: AudienceChoice | None = None
    choices: tuple[AudienceChoice, ...] = ()


def find_audience_talents(session: Session, actor: Actor, event: Event, text: str, *,
                          limit: int = LOOKUP_LIMIT) -> list[AudienceChoice]:
    """The search-as-you-type list of the audience page: talents by name or organization, each
    with the reason (opted out, certification not valid) that would keep him off the list, so
    the organizer sees it before trying."""
    require(actor, "event.manage", event)
    return [AudienceChoice(t, exclusion_reason(t)) for t in talents_named(session, text, limit=limit)]


def add_by_name(session: Session, actor: Actor, event: Event, text: str, talent_id: str = "") -> NamedAdd:
    """Put the talent meant by ``text`` (or the one the list picked, ``talent_id``) on the list by hand.

    A talent who opted out of event invitations or whose certification is no longer valid
    is refused with the reason, never "added" while he stays excluded.
    """
    require(actor, "event.manage", event)
    talent = by_external_id(session, talent_id)
    if talent is None:
        found = find_audience_talents(session, actor, event, text)
        meant = the_one_named(text, [c.talent for c in found])
        if not isinstance(meant, Talent):
            return NamedAdd(choices=tuple(c for c in found if c.talent in meant))
        talent = meant
    reason = exclusion_reason(talent)
    if reason:
        return NamedAdd(refused=AudienceChoice(talent, reason))
    add_to_audience(session, actor, event, talent)
    return NamedAdd(added=talent)
