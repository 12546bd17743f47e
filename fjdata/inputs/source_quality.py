"""Source quality as data: the ``source_tier`` of an observation and the rule that derives it.

Tiers, best first (``TIERS``):

- ``official_statistics`` — a statistics office's own publication read at the source: 国家统计局 /
  省统计局 sites (``stats.gov.cn``, ``data.stats.gov.cn``, ``tjj.*.gov.cn``), or a statistical
  yearbook / communiqué (统计年鉴, 统计公报) on a government site or cited by table;
- ``department`` — a figure the plan's own department (or a partner bureau) supplied through the
  questionnaire (:mod:`fjdata.department.intake`); never derived by the rule, only set on import;
- ``official_release`` — another government or department site (``*.gov.cn``);
- ``media`` — a news outlet's own report (Xinhua, People's Daily, 东南网, …);
- ``secondary_copy`` — a copy of someone else's figure: code repositories (GitHub), reposting
  sites (title says 转载 / repost / mirror), encyclopedias and wikis, AI or exam-prep summaries,
  and any row whose note says it was read from such a copy;
- ``derived`` — computed from other figures (status ``derived``).

Rule (:func:`derive_tier`), first match wins: status ``derived`` → ``derived``; a copy site (GitHub,
Gitee, wikis, encyclopedias, AI summaries) → ``secondary_copy``; a note saying the figure was read
from a copy ("read from GitHub", "SECONDARY", "machine-generated"), or a title naming an AI / exam-prep
summary, a wiki or GitHub → ``secondary_copy``; a
statistics-office host → ``official_statistics``; another ``gov.cn`` host → ``official_statistics``
if the title names a statistics office / yearbook / communiqué, else ``official_release``; a known
news host → ``media`` (also when it carries another outlet's story); a title saying 转载 / repost /
mirror / 摘录 / Q&A → ``secondary_copy``; no URL and a statistical title → ``official_statistics``
*flagged unsure*; anything else → ``secondary_copy`` *flagged unsure* (an unknown site is treated
as a copy until a person has looked at it). Shipped rows carry the tier explicitly (reviewed by hand where the rule was
unsure); user files may leave the column empty and get the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse

OFFICIAL_STATISTICS = "official_statistics"
DEPARTMENT = "department"
OFFICIAL_RELEASE = "official_release"
MEDIA = "media"
SECONDARY_COPY = "secondary_copy"
DERIVED = "derived"
TIERS = (OFFICIAL_STATISTICS, DEPARTMENT, OFFICIAL_RELEASE, MEDIA, SECONDARY_COPY, DERIVED)
LOW_TIERS = (MEDIA, SECONDARY_COPY, DERIVED)  # a figure resting only on these is worth asking the department for

TIER_LABELS = {
    OFFICIAL_STATISTICS: ("统计部门", "official statistics"),
    DEPARTMENT: ("部门报送", "department"),
    OFFICIAL_RELEASE: ("政府发布", "official release"),
    MEDIA: ("媒体报道", "media"),
    SECONDARY_COPY: ("二手转载", "secondary copy"),
    DERIVED: ("推算", "derived"),
}

_SECONDARY_HOSTS = re.compile(r"(^|\.)(github\.com|gitee\.com|githubusercontent\.com|reportify\.ai)$|wiki|baike|kuaisou|nianjianbao")
_SECONDARY_TITLE = re.compile(
    r"转载|轉載|repost|re-posted|mirror|摘录|github|ai-generated|machine-generated|exam-prep|wiki|百科|问答|Q&A", re.IGNORECASE
)
_MACHINE_TITLE = re.compile(r"ai-generated|machine-generated|exam-prep|wiki|百科|github", re.IGNORECASE)
_SECONDARY_NOTE = re.compile(r"read from git(hub|ee)|\bsecondary\b|ai-generated|machine-generated", re.IGNORECASE)
_STATS_HOSTS = re.compile(r"(^|\.)(stats\.gov\.cn)$|^tjj\.[a-z]+\.gov\.cn$|\.tjj\.gov\.cn$")
_STATS_TITLE = re.compile(
    r"统计局|统计年鉴|统计公报|統計|Statistical Yearbook|Statistical Communiqu|National Bureau of Statistics", re.IGNORECASE
)
_GOV_HOST = re.compile(r"(^|\.)gov\.cn$")
_MEDIA_HOSTS = re.compile(
    r"(^|\.)(news\.cn|xinhuanet\.com|people\.com\.cn|chinanews\.com\.cn|chinanews\.com|cnr\.cn|ce\.cn|fjsen\.com|mnw\.cn|"
    r"xmnn\.cn|cctv\.com|gmw\.cn|chinadaily\.com\.cn|yahoo\.com|marketscreener\.com|sina\.com|sciencenet\.cn|cinn\.cn|"
    r"china\.com\.cn|rednet\.cn|hkcd\.com|chinagate\.cn|jxntv\.cn|sxcntv\.com|qianlong\.com|cnfol\.com|donews\.com|"
    r"ptwbs\.net|qzwb\.com|fznews\.com\.cn|hk01\.com|fjdaily\.com|thepaper\.cn|caixin\.com|21jingji\.com|stcn\.com|"
    r"cs\.com\.cn|cnstock\.com|eeo\.com\.cn|yicai\.com|jjckb\.cn|economy\.gov\.cn|fjnet\.cn|taihainet\.com|fjpcnews\.com|ccn\.com\.cn|cyol\.com|bjnews\.com\.cn)$"
)


@dataclass(frozen=True)
class TierDecision:
    """The tier the rule gives a row, why, and whether a person should look at it."""

    tier: str
    reason: str
    unsure: bool = False


def host_of(url: str) -> str:
    """The lower-case host of a URL without the port (``fujian.gov.cn:85`` → ``fujian.gov.cn``)."""
    netloc = urlparse(url.strip()).netloc.lower()
    return netloc.split("@")[-1].split(":")[0]


def derive_tier(source_url: str, source_title: str, status: str, note: str = "") -> TierDecision:
    """The documented rule (module docstring); ``note`` is searched for 'read from GitHub'-style markers."""
    host = host_of(source_url)
    if status.strip() == "derived":
        return TierDecision(DERIVED, "status derived")
    if host and _SECONDARY_HOSTS.search(host):
        return TierDecision(SECONDARY_COPY, f"copy site {host}")
    if m := _SECONDARY_NOTE.search(note):
        return TierDecision(SECONDARY_COPY, f"note says {m.group(0)!r}")
    if m := _MACHINE_TITLE.search(source_title):
        return TierDecision(SECONDARY_COPY, f"title says {m.group(0)!r}")
    if host and _STATS_HOSTS.search(host):
        return TierDecision(OFFICIAL_STATISTICS, f"statistics office site {host}")
    if host and _GOV_HOST.search(host):
        if _STATS_TITLE.search(source_title):
            return TierDecision(OFFICIAL_STATISTICS, f"statistical publication on {host}")
        return TierDecision(OFFICIAL_RELEASE, f"government site {host}")
    if host and _MEDIA_HOSTS.search(host):
        return TierDecision(MEDIA, f"news site {host}")  # also when it carries another outlet's story
    if m := _SECONDARY_TITLE.search(source_title):
        return TierDecision(SECONDARY_COPY, f"title says {m.group(0)!r}")
    if not host and _STATS_TITLE.search(source_title):
        return TierDecision(OFFICIAL_STATISTICS, "statistical publication cited by title", unsure=True)
    return TierDecision(SECONDARY_COPY, f"unknown site {host or '(no URL)'}: treated as a copy", unsure=True)


def tier_rank(tier: str) -> int:
    """0 for the best tier; unknown labels rank last."""
    return TIERS.index(tier) if tier in TIERS else len(TIERS)


def tier_label(tier: str, lang: str = "zh") -> str:
    zh, en = TIER_LABELS.get(tier, (tier, tier))
    return zh if lang == "zh" else en
