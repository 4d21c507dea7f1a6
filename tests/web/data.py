"""A handful of talents and one account per role, shared by the web tests."""

from __future__ import annotations

import json

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'

TALENTS = [
    {
        "id": "web-001", "name": "林书衡", "name_en": "Lin Shuheng", "category": "A",
        "title": "副行长、高级经济师", "organization": "深港湾商业银行", "fields": ["banking"],
        "research_directions": ["跨境理财通产品设计与销售合规", "跨境人民币结算便利化"],
        "bio": "从事国际业务与跨境金融二十余年，牵头设计跨境双向资金池和跨境理财通业务流程。",
        "languages": ["zh", "en"], "available_for_consultation": True,
        "contact": {"email": "lin@example.org", "phone": "0755-00002001"},
        "outputs": [
            {"type": "book", "title": "跨境资金池：制度演进与企业实践", "year": 2019, "venue": "中国金融出版社"},
            {"type": "paper", "title": "跨境理财通试点的投资者结构", "year": 2023, "venue": "《国际金融研究》"},
        ],
    },
    {
        "id": "web-002", "name": "周明远", "name_en": "Zhou Mingyuan", "category": "B",
        "title": "首席数据科学家", "organization": "罗湖云数科技", "fields": ["big_data", "cloud_computing"],
        "research_directions": ["政务大数据治理", "Cloud-native data platforms for government services"],
        "bio": "Works on open government data and privacy-preserving analytics. " + XSS,
        "languages": ["zh", "en"], "available_for_consultation": False,
        "contact": {"email": "zhou@example.org", "phone": "0755-00002002"},
        "outputs": [{"type": "report", "title": "Government data sharing in the Greater Bay Area", "year": 2022}],
    },
    {
        "id": "web-003", "name": "陈雅琳", "name_en": "Chen Yalin", "category": "C",
        "title": "创始人", "organization": "湾区文创工坊", "fields": ["cultural_creative"],
        "research_directions": ["文化创意产业园区运营", "非遗活化与文旅融合"],
        "bio": "深耕罗湖文创街区运营，策划多场深港青年文化交流活动。",
        "languages": ["zh", "yue"], "available_for_consultation": True,
        "contact": {"email": "chen@example.org"},
        "outputs": [{"type": "project", "title": "东门老街文创街区更新项目", "year": 2021}],
    },
    {
        "id": "web-004", "name": "吴志强", "name_en": "Wu Zhiqiang", "category": "B",
        "title": "合伙人律师", "organization": "深罗律师事务所", "fields": ["law", "private_equity"],
        "research_directions": ["私募基金合规与争议解决", "Cross-border M&A legal due diligence"],
        "bio": "专注私募股权投资与跨境并购法律服务。",
        "languages": ["zh", "en"], "available_for_consultation": True,
        "contact": {"phone": "0755-00002004"},
    },
    {
        "id": "web-005", "name": "黄海燕", "name_en": "Huang Haiyan", "category": "A",
        "title": "研究员", "organization": "深圳海洋经济研究院", "fields": ["marine_economy", "green_tech"],
        "research_directions": ["海洋碳汇与蓝色金融", "港口绿色低碳转型"],
        "bio": "长期从事海洋经济与蓝碳交易机制研究。",
        "languages": ["zh"], "available_for_consultation": True,
        "contact": {"email": "huang@example.org"},
        "outputs": [{"type": "policy_advice", "title": "关于建立深圳蓝碳交易机制的建议", "year": 2024}],
    },
]

PASSWORD = "correct-horse-battery"

# username → (role, talent id or None, unit)
ACCOUNTS = {
    "admin": ("admin", None, "罗湖区人才工作局"),
    "commissioner": ("commissioner", None, "罗湖区人才工作局"),
    "researcher": ("researcher", None, "罗湖区发展研究中心"),
    "organizer": ("organizer", None, "罗湖区菁英人才协会"),
    "talent": ("talent", "web-001", ""),
    "talent2": ("talent", "web-002", ""),
}

OWN = "web-001"      # the "talent" account's own profile
OTHER = "web-003"    # someone else's profile (available for consultation)
UNAVAILABLE = "web-002"


def jsonl(records: list[dict]) -> bytes:
    """The records as an import file; each certified (an import certifies only when the file says so)."""
    certified = [{"certification_status": "certified", "certified_on": "2024-03-01", **r} for r in records]
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in certified).encode()
