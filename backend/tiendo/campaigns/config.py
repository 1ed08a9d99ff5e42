"""A campaign's configuration (its row, metrics and targets, and what is derived from them or
kept with them: its report rules, quality rules, week locks) read once per process.

Every report checks its values against the campaign's metrics and targets, which change a few
times a campaign. Each change gives the campaign a new random `config_tag` in the same
transaction (`touch_config`), and a request reads the tag with the campaign's id and owner
anyway, so a configuration kept under (id, tag) is never stale, in any worker process. A random
tag, not a counter: a change that rolls back, or a campaign re-created under a reused id, can
never meet an entry kept for another content. An entry loaded while a change commits may hold
the newer content under the older tag; only requests that read that tag before the commit use
it, and they run concurrently with the change anyway.

The objects in a configuration are shared between requests and threads: read them, never
change them or add them to a session."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlmodel import Session

from tiendo.auth.principal import Action, Principal
from tiendo.campaigns.models import Campaign, Metric, Target, new_config_tag
from tiendo.errors import NotFound
from tiendo.units.models import Unit

CACHE_SIZE = 64

_HEAD = select(Campaign.id, Campaign.config_tag, Unit.path).join(
    Unit, Unit.id == Campaign.owner_unit_id)
_HEAD_BY_CODE = _HEAD.where(Campaign.code == bindparam("ref"))
_HEAD_BY_ID = _HEAD.where(Campaign.id == bindparam("ref"))
_CAMPAIGN = select(Campaign).where(Campaign.id == bindparam("id"))
_METRICS = (select(Metric).where(Metric.campaign_id == bindparam("id"))
            .order_by(Metric.position, Metric.id))
_TARGETS = (select(Target).where(Target.campaign_id == bindparam("id"))
            .order_by(Target.deadline, Target.id))


@dataclass(frozen=True, eq=False)
class CampaignConfig:
    campaign: Campaign
    owner_path: str
    metrics: tuple[Metric, ...]  # in the campaign's order
    targets: tuple[Target, ...]  # by deadline
    # What users of the configuration compute from it once (e.g. a report's rules), by name.
    derived: dict[str, object] = field(default_factory=dict)


class _Cache:
    """A small LRU of configurations by (campaign id, config_tag), shared by threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[int, str], CampaignConfig] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[int, str]) -> CampaignConfig | None:
        with self.lock:
            config = self.entries.get(key)
            if config is not None:
                self.entries.move_to_end(key)
            return config

    def put(self, key: tuple[int, str], config: CampaignConfig) -> None:
        with self.lock:
            self.entries[key] = config
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


_cache = _Cache(CACHE_SIZE)


def visible(principal: Principal, owner_path: str, action: Action = Action.read) -> bool:
    """A campaign is visible to anyone who may act (read, or write reports) on its owner's
    subtree or inside it: a commune reports into the district's campaign."""
    return any(p.startswith(owner_path) or owner_path.startswith(p)
               for p in principal.paths(action))


def _load(session: Session, campaign_id: int, owner_path: str) -> CampaignConfig:
    # Loaded outside the request's identity map: the objects outlive the session.
    with Session(bind=session.connection()) as private:
        campaign = private.exec(_CAMPAIGN, params={"id": campaign_id}).scalar_one()
        metrics = tuple(private.exec(_METRICS, params={"id": campaign_id}).scalars())
        targets = tuple(private.exec(_TARGETS, params={"id": campaign_id}).scalars())
        private.expunge_all()
    return CampaignConfig(campaign, owner_path, metrics, targets)


def campaign_config(session: Session, principal: Principal | None, ref: str | int,
                    field: str | None = "campaign", action: Action = Action.read,
                    ) -> CampaignConfig:
    """The campaign by id or code, as `principal` may see it for `action` (else 404)."""
    if session.new or session.dirty or session.deleted:
        session.flush()  # a change made earlier in this transaction comes with its new tag
    by_id = isinstance(ref, int) or ref.isdigit()
    head = session.connection().execute(_HEAD_BY_ID if by_id else _HEAD_BY_CODE,
                                        {"ref": int(ref) if by_id else ref}).first()
    if head is None or (principal is not None and not visible(principal, head.path, action)):
        raise NotFound("Không tìm thấy chiến dịch.", field=field, code="campaign_not_found")
    key = (head.id, head.config_tag)
    config = _cache.get(key)
    if config is None:
        config = _load(session, head.id, head.path)
        _cache.put(key, config)
    return config


def cached_config(campaign: Campaign) -> CampaignConfig | None:
    """The configuration this process keeps for the campaign as the caller read it (its id and
    tag), or None when no request here has loaded it."""
    return _cache.get((campaign.id, campaign.config_tag))


def touch_config(session: Session, campaign: Campaign) -> None:
    """Call in the transaction that changes the campaign, its metrics, its targets, its quality
    rules or its week locks (all of which a process keeps with the configuration)."""
    campaign.config_tag = new_config_tag()
    session.add(campaign)
