"""A synthetic talent corpus of any size, deterministic, for load runs.

Real talents are personal data and the demo set has a few hundred; a load run
needs thousands. Each synthetic talent combines a field of the taxonomy with
topic words of that field, so search has real work (many partial matches),
and carries contact data like a real record (so the run also exercises the
paths that must keep it out of the index).

    python -m tests.load.corpus 10000 > corpus.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator

TOPICS: dict[str, list[str]] = {
    "banking": ["跨境人民币结算", "供应链金融", "普惠小微贷款", "跨境理财通", "数字人民币试点", "绿色信贷"],
    "securities": ["科创板上市辅导", "债券承销", "量化投资策略", "REITs 发行", "港股通交易机制"],
    "insurance": ["健康险精算", "巨灾再保险", "养老保险第三支柱", "科技保险", "航运保险"],
    "funds": ["公募基金风控", "跨境私募基金", "QFLP 试点", "母基金配置", "ESG 投资"],
    "law": ["跨境并购尽职调查", "私募基金合规", "知识产权诉讼", "数据合规", "商事仲裁"],
    "big_data": ["政务大数据治理", "数据要素流通", "隐私计算", "城市数字孪生", "公共数据开放"],
    "cloud_computing": ["云原生架构", "算力调度", "边缘计算平台", "信创云迁移", "多云管理"],
    "biotech": ["细胞治疗", "合成生物学", "创新药临床试验", "基因测序", "生物医药园区运营"],
    "new_energy": ["储能电站", "氢燃料电池", "光伏电站运维", "充换电网络", "虚拟电厂"],
    "marine_economy": ["海洋碳汇", "港口绿色转型", "海上风电", "蓝色金融", "海洋牧场"],
    "aerospace": ["低空经济", "无人机物流", "卫星互联网", "通用航空机场", "航空材料"],
    "cultural_creative": ["文化创意街区运营", "非遗活化", "数字文旅", "动漫 IP 开发", "演艺经济"],
    "robotics": ["工业机器人集成", "服务机器人", "机器视觉", "人形机器人", "智能产线"],
    "green_tech": ["碳排放核算", "绿色建筑", "循环经济", "环境监测", "碳交易"],
}
ORGS = ["深圳大学", "南方科技大学", "深港金融研究院", "罗湖区发展研究中心", "湾区科技集团", "前海律师事务所",
        "深圳海洋经济研究院", "华南理工大学", "香港中文大学（深圳）", "鹏城实验室"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红娥玲芬燕彬志海宁雪立"
TITLES = ["研究员", "教授", "副教授", "高级经济师", "合伙人律师", "首席科学家", "总经理", "高级工程师"]


def talent(i: int, rng: random.Random) -> dict:
    fields = rng.sample(sorted(TOPICS), k=rng.choice([1, 1, 2]))
    directions = [t for f in fields for t in rng.sample(TOPICS[f], k=2)]
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    org = rng.choice(ORGS)
    return {
        "id": f"load-{i:06d}", "name": name, "category": rng.choice("ABC"),
        "title": rng.choice(TITLES), "organization": org, "fields": fields,
        "research_directions": directions,
        "bio": f"{name}，{org}{rng.choice(TITLES)}，长期从事{'、'.join(directions)}等方向的研究与实践。",
        "languages": ["zh", "en"] if rng.random() < 0.4 else ["zh"],
        "available_for_consultation": rng.random() < 0.7,
        "contact": {"email": f"load{i}@example.org", "phone": f"0755-{i:08d}"},
        "outputs": [{"type": rng.choice(["paper", "report", "policy_advice"]),
                     "title": f"{rng.choice(directions)}研究（{2015 + i % 10}）", "year": 2015 + i % 10}],
    }


def records(n: int, seed: int = 7) -> Iterator[dict]:
    rng = random.Random(seed)
    for i in range(n):
        yield talent(i, rng)


QUERIES = [t for ts in TOPICS.values() for t in ts] + [
    "跨境金融政策咨询", "低空物流航线规划", "数据要素市场化", "海洋碳汇交易机制", "cross-border RMB settlement",
    "supply chain finance", "drone logistics", "privacy computing",
]


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 10_000
    out = sys.stdout
    for rec in records(n):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv)
