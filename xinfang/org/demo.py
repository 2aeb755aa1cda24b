"""Tonghai County (通海县, Yuxi, Yunnan, 530423) demo organisation.

Township codes follow the National Bureau of Statistics' 统计用区划代码 for 530423.
Villages below them are generated and flagged ``is_demo`` (their names say 演示), so no
invented name passes for a real place.
"""

from __future__ import annotations

PROVINCE = ("530000", "云南省")
CITY = ("530400", "玉溪市")
COUNTY = ("530423", "通海县")

# (code, name) — 2 streets (街道), 4 towns (镇), 3 ethnic townships (民族乡).
TOWNSHIPS: list[tuple[str, str]] = [
    ("530423001", "秀山街道"),
    ("530423002", "九龙街道"),
    ("530423101", "杨广镇"),
    ("530423102", "河西镇"),
    ("530423103", "四街镇"),
    ("530423104", "纳古镇"),
    ("530423201", "里山彝族乡"),
    ("530423202", "高大傣族彝族乡"),
    ("530423203", "兴蒙蒙古族乡"),
]
DEMO_VILLAGES_PER_TOWNSHIP = 3

# (code, name, short name, kind, parent code)
UNITS: list[tuple[str, str, str, str, str | None]] = [
    ("leadership", "中共通海县委、通海县人民政府", "县委县政府", "leadership", None),
    ("xfj", "通海县信访局", "县信访局", "petition_bureau", "leadership"),
    ("mtzx", "通海县社会矛盾纠纷调处督导中心", "县矛调中心", "mediation_centre", "xfj"),
    ("rx12345", "通海县12345政务服务便民热线中心", "12345热线", "hotline_centre", "leadership"),
    ("xzfb", "通海县人民政府办公室", "县政府办", "department", "leadership"),
    ("fgj", "通海县发展和改革局", "县发改局", "department", "leadership"),
    ("jtj", "通海县教育体育局", "县教体局", "department", "leadership"),
    ("gaj", "通海县公安局", "县公安局", "political_legal", "leadership"),
    ("mzj", "通海县民政局", "县民政局", "department", "leadership"),
    ("sfj", "通海县司法局", "县司法局", "department", "leadership"),
    ("czj", "通海县财政局", "县财政局", "department", "leadership"),
    ("rsj", "通海县人力资源和社会保障局", "县人社局", "department", "leadership"),
    ("zrzyj", "通海县自然资源局", "县自然资源局", "department", "leadership"),
    ("sthjj", "玉溪市生态环境局通海分局", "生态环境分局", "department", "leadership"),
    ("zjj", "通海县住房和城乡建设局", "县住建局", "department", "leadership"),
    ("jtysj", "通海县交通运输局", "县交通运输局", "department", "leadership"),
    ("nyncj", "通海县农业农村局", "县农业农村局", "department", "leadership"),
    ("slj", "通海县水利局", "县水利局", "department", "leadership"),
    ("swj", "通海县商务局", "县商务局", "department", "leadership"),
    ("whlyj", "通海县文化和旅游局", "县文旅局", "department", "leadership"),
    ("wjj", "通海县卫生健康局", "县卫健局", "department", "leadership"),
    ("yjj", "通海县应急管理局", "县应急局", "department", "leadership"),
    ("scjgj", "通海县市场监督管理局", "县市场监管局", "department", "leadership"),
    ("ybj", "通海县医疗保障局", "县医保局", "department", "leadership"),
    ("jwjw", "中共通海县纪律检查委员会、通海县监察委员会", "县纪委监委", "discipline", None),
    ("zfw", "中共通海县委政法委员会", "县委政法委", "political_legal", "leadership"),
]

# (username, full name, role, unit code) — one account per role, plus a second handler in
# another unit so the permission tests can show that units do not see each other's cases.
DEMO_USERS: list[tuple[str, str, str, str | None]] = [
    ("clerk", "李登记", "clerk", "xfj"),
    ("handler", "王承办", "handler", "zjj"),
    ("handler2", "赵承办", "handler", "rsj"),
    ("unithead", "张局长", "unit_head", "zjj"),
    ("supervisor", "陈督办", "supervisor", "xfj"),
    ("inspector", "刘质检", "inspector", "xfj"),
    ("leader", "杨县长", "leader", "leadership"),
    ("analyst", "周研判", "analyst", "mtzx"),
    ("admin", "系统管理员", "admin", "xfj"),
]
DEMO_PASSWORD = "Tonghai-demo-2026"  # noqa: S105 (published demo password, demo mode only)
