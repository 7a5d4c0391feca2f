"""The demo factory: a small maker of electric fans, as typed canonical tables.

Everything is written as small pipe-separated tables in the order a planner would fill
the workbook, then typed by the schema's own `coerce`, so the demo can never drift from
the schema. Dates are day offsets from `PLANNING_DATE` (a cell "+16" is 16 days after
it) so the whole story moves if someone regenerates it for another date.

The story, for whoever demonstrates it:
* six fans (desk white/black, stand, wall, tower, and a custom-colour stand fan made to
  order for a hotel chain, shipped in the customer's own gift box 客供彩盒);
* BOM depth 5: fan → head assembly → motor → stator → stator core → silicon steel;
* screw kits 螺丝包 are phantoms; guards are electroplated by a subcontractor 网罩电镀,
  whose site is the at-supplier warehouse 委外仓 holding our raw guards;
* on 2027-01-01 the 30 cm blade changes supplier and the 30 W stator a new winding
  (85 m → 82 m of wire): consecutive effectivity windows, both ends inclusive; the first
  lot of the new blade sits in the inspection warehouse 待检仓;
* copper wire is stocked in kg and used in metres with 2 % loss; the paint line loses a
  fixed 0.5 kg per order (purging the spray gun);
* demand: 41 order lines from three trade customers, a Shopify web shop and a Tmall
  store over nine weeks before the Spring Festival, plus weekly forecasts.
"""

from __future__ import annotations

import pandas as pd

from addin.schema import INPUT_TABLES, ROW, Lang, coerce, empty_frame, table

PLANNING_DATE = pd.Timestamp("2026-12-01")
CODE_PATTERN = r"^\d{2}\.\d{2}\.\d{4}$"  # Kingdee-style dotted codes, e.g. 30.02.0012
HOLIDAYS = {  # Chinese public holidays inside the calendar's three months
    "2027-01-01": ("元旦", "New Year's Day"),
    **{f"2027-02-{d:02d}": ("春节", "Spring Festival") for d in range(5, 12)},
}
CALENDAR_DAYS = 90

# code | 中文名 | English name | spec | unit | type | mode | lead days | safety | warehouse
#      | supplier | standard cost
ITEMS = """
10.01.0001|台扇 DF-30 白色|Desk fan DF-30 white|30 cm 30 W|pcs|manufactured|MTS|3|100|FG||62
10.01.0002|台扇 DF-30 黑色|Desk fan DF-30 black|30 cm 30 W|pcs|manufactured|MTS|3|50|FG||62
10.01.0003|落地扇 SF-40|Stand fan SF-40|40 cm 45 W|pcs|manufactured|MTS|3|80|FG||98
10.01.0004|壁扇 WF-40|Wall fan WF-40|40 cm 45 W|pcs|manufactured|MTS|3|40|FG||86
10.01.0005|塔扇 TF-90|Tower fan TF-90|90 cm 25 W remote|pcs|manufactured|MTS|4|30|FG||145
10.01.0006|落地扇 SF-40 定制色|Stand fan SF-40 custom|40 cm 45 W|pcs|manufactured|MTO|3|0|FG||105
20.01.0001|机头组件 30cm|Head assembly 30 cm|30 W|pcs|manufactured|MTS|2|0|SF||44
20.01.0002|机头组件 40cm|Head assembly 40 cm|45 W|pcs|manufactured|MTS|2|0|SF||58
20.01.0003|塔扇机芯|Tower fan core|25 W|pcs|manufactured|MTS|2|0|SF||88
20.02.0001|电机组件 30W|Motor assembly 30 W|220 V 50 Hz|pcs|manufactured|MTS|3|0|SF||26
20.02.0002|电机组件 45W|Motor assembly 45 W|220 V 50 Hz|pcs|manufactured|MTS|3|0|SF||34
20.02.0003|电机组件 25W|Motor assembly 25 W|220 V 50 Hz|pcs|manufactured|MTS|3|0|SF||24
20.03.0001|定子 30W|Stator 30 W|core A|pcs|manufactured|MTS|2|0|SF||12
20.03.0002|定子 45W|Stator 45 W|core B|pcs|manufactured|MTS|2|0|SF||16
20.03.0003|定子 25W|Stator 25 W|core A|pcs|manufactured|MTS|2|0|SF||11
20.03.0004|转子 30W|Rotor 30 W||pcs|manufactured|MTS|2|0|SF||6
20.03.0005|转子 45W|Rotor 45 W||pcs|manufactured|MTS|2|0|SF||8
20.03.0006|转子 25W|Rotor 25 W||pcs|manufactured|MTS|2|0|SF||5.5
20.04.0001|定子铁芯 A|Stator core A|stack 20 mm|pcs|manufactured|MTS|2|0|SF||2.6
20.04.0002|定子铁芯 B|Stator core B|stack 28 mm|pcs|manufactured|MTS|2|0|SF||3.6
20.05.0001|网罩 30cm 电镀|Guard 30 cm plated|chrome|pcs|subcontracted|MTS|5|0|SF|S004|5.2
20.05.0002|网罩 40cm 电镀|Guard 40 cm plated|chrome|pcs|subcontracted|MTS|5|0|SF|S004|6.8
20.05.0003|落地扇底座 喷涂|Stand base painted|white|pcs|manufactured|MTS|3|0|SF||11
20.05.0004|落地扇底座 定制色|Stand base custom colour|RAL per order|pcs|manufactured|MTO|3|0|SF||12
20.05.0005|立柱组件|Stand pole assembly|telescopic|pcs|manufactured|MTS|1|0|SF||7.5
20.09.0001|螺丝包 台扇|Screw kit desk fan||set|phantom|MTS|0|0|||0.3
20.09.0002|螺丝包 落地扇|Screw kit stand fan||set|phantom|MTS|0|0|||0.5
30.01.0001|漆包线 0.35mm|Enamelled copper wire 0.35 mm|QZ-2 0.35|kg|purchased|MTS|10|50|RM|S001|78
30.01.0002|漆包线 0.45mm|Enamelled copper wire 0.45 mm|QZ-2 0.45|kg|purchased|MTS|10|40|RM|S001|76
30.01.0003|硅钢卷料|Silicon steel coil|50W470 0.5 mm|kg|purchased|MTS|15|300|RM|S002|7.8
30.01.0004|粉末涂料 白色|Powder paint white|RAL 9016|kg|purchased|MTS|7|10|RM|S009|32
30.01.0005|粉末涂料 定制色|Powder paint custom colour|per order|kg|purchased|MTO|7|0|RM|S009|45
30.01.0006|绝缘纸|Insulation paper|DMD 0.2 mm|m|purchased|MTS|7|100|RM|S002|1.2
30.02.0001|转轴 Φ8|Shaft 8 mm|8 × 96 mm|pcs|purchased|MTS|10|0|RM|S003|1.1
30.02.0002|滚珠轴承 608|Ball bearing 608|608ZZ|pcs|purchased|MTS|10|500|RM|S003|0.9
30.02.0003|含油轴承 Φ8|Sleeve bearing 8 mm|sintered|pcs|purchased|MTS|10|500|RM|S003|0.25
30.02.0004|电容 1.2µF|Capacitor 1.2 µF|450 V|pcs|purchased|MTS|14|300|RM|S007|0.6
30.02.0005|电容 1.5µF|Capacitor 1.5 µF|450 V|pcs|purchased|MTS|14|300|RM|S007|0.7
30.02.0006|电源线 1.5m|Power cord 1.5 m|2 × 0.75 mm²|pcs|purchased|MTS|10|200|RM|S007|2.4
30.02.0007|摇头齿轮箱|Oscillation gearbox|5 rpm|pcs|purchased|MTS|20|200|RM|S003|4.5
30.02.0008|三档开关|3-speed switch|piano key|pcs|purchased|MTS|14|200|RM|S007|1.6
30.02.0009|遥控接收板|Remote receiver board|433 MHz|pcs|purchased|MTS|21|50|RM|S007|6.5
30.02.0010|遥控器|Remote control|433 MHz|pcs|purchased|MTS|21|50|RM|S007|3.2
30.02.0011|扇叶 30cm (东莞)|Blade 30 cm (Dongguan)|AS clear|pcs|purchased|MTS|12|0|RM|S005|1.9
30.02.0012|扇叶 30cm (江门)|Blade 30 cm (Jiangmen)|AS clear|pcs|purchased|MTS|12|0|RM|S008|1.7
30.02.0013|扇叶 40cm|Blade 40 cm|AS clear|pcs|purchased|MTS|12|150|RM|S005|2.6
30.02.0014|贯流风轮|Cross-flow impeller|Φ60 × 700|pcs|purchased|MTS|15|30|RM|S005|9.5
30.02.0015|网罩 30cm 毛坯|Guard 30 cm raw|steel wire|pcs|purchased|MTS|10|0|SUB|S003|3.1
30.02.0016|网罩 40cm 毛坯|Guard 40 cm raw|steel wire|pcs|purchased|MTS|10|0|SUB|S003|4.2
30.02.0017|落地扇底座毛坯|Stand base casting|cast iron|pcs|purchased|MTS|20|0|RM|S003|6.9
30.02.0018|台扇底座 白色|Desk base white|ABS|pcs|purchased|MTS|12|100|RM|S005|3.5
30.02.0019|台扇底座 黑色|Desk base black|ABS|pcs|purchased|MTS|12|50|RM|S005|3.5
30.02.0020|壁挂支架|Wall bracket|steel|pcs|purchased|MTS|10|40|RM|S003|2.8
30.02.0021|塔扇外壳|Tower housing|ABS white|pcs|purchased|MTS|15|30|RM|S005|18
30.02.0022|电机外壳 小|Motor housing small|aluminium|pcs|purchased|MTS|15|100|RM|S003|2.2
30.02.0023|电机外壳 大|Motor housing large|aluminium|pcs|purchased|MTS|15|100|RM|S003|2.9
30.02.0024|立柱管|Pole tube|Φ25 × 600|pcs|purchased|MTS|10|100|RM|S003|1.8
30.02.0025|扇叶螺母|Spinner nut|PP|pcs|purchased|MTS|7|200|RM|S005|0.15
30.02.0026|转子铁芯 小|Rotor core small|die-cast|pcs|purchased|MTS|15|100|RM|S002|3.4
30.02.0027|转子铁芯 大|Rotor core large|die-cast|pcs|purchased|MTS|15|100|RM|S002|4.6
30.03.0001|螺丝 M4×10|Screw M4×10|zinc|pcs|purchased|MTS|5|2000|RM|S003|0.02
30.03.0002|螺丝 M5×12|Screw M5×12|zinc|pcs|purchased|MTS|5|2000|RM|S003|0.03
30.03.0003|垫片 M4|Washer M4|zinc|pcs|purchased|MTS|5|2000|RM|S003|0.01
30.03.0004|自攻螺丝 ST3×8|Tapping screw ST3×8|black|pcs|purchased|MTS|5|3000|RM|S003|0.01
30.04.0001|彩盒 台扇|Gift box desk fan|5-ply|pcs|purchased|MTS|7|100|RM|S006|2.1
30.04.0002|彩盒 落地扇|Gift box stand fan|5-ply|pcs|purchased|MTS|7|100|RM|S006|3.3
30.04.0003|彩盒 壁扇|Gift box wall fan|5-ply|pcs|purchased|MTS|7|50|RM|S006|2.7
30.04.0004|彩盒 塔扇|Gift box tower fan|5-ply|pcs|purchased|MTS|7|50|RM|S006|4.1
30.04.0005|说明书|Instruction manual|A5 16 p|pcs|purchased|MTS|5|300|RM|S006|0.35
30.04.0006|泡沫护角|EPS foam set|2 pcs|set|purchased|MTS|5|200|RM|S006|0.6
40.01.0001|客供彩盒 海景|Customer gift box Seaview|logo|pcs|customer_supplied|MTS|0|0|CV||0
"""
_ITEM_COLUMNS = ("item_code", "item_name_zh", "item_name_en", "spec", "stock_unit",
                 "item_type", "planning_mode", "lead_time_days", "safety_stock",
                 "default_warehouse", "default_supplier", "standard_cost")

# Order policies that differ from lot-for-lot and direct issue, by item code.
ITEM_POLICIES: dict[str, dict[str, object]] = {
    "10.01.0001": {"lot_rule": "POQ", "poq_days": 7, "standard_hours": 0.12},
    "10.01.0003": {"lot_rule": "FOQ", "lot_size": 100, "standard_hours": 0.18},
    "20.02.0002": {"lot_rule": "FOQ", "lot_size": 200, "lot_single": True},
    "30.01.0001": {"lot_rule": "FOQ", "lot_size": 50, "inspection": "sample"},
    "30.01.0002": {"lot_rule": "FOQ", "lot_size": 50, "inspection": "sample"},
    "30.01.0003": {"min_order_qty": 500, "order_multiple": 100},
    "30.02.0002": {"min_order_qty": 1000, "order_multiple": 500},
    "30.02.0012": {"min_order_qty": 500, "order_multiple": 100, "inspection": "full"},
    "30.02.0004": {"inspection": "sample", "order_multiple": 500},
    "30.02.0005": {"inspection": "sample", "order_multiple": 500},
    "30.04.0001": {"lot_rule": "POQ", "poq_days": 14},
    "30.04.0002": {"lot_rule": "POQ", "poq_days": 14},
    **{f"30.03.000{n}": {"issue_method": "backflush", "min_order_qty": 5000,
                         "order_multiple": 1000} for n in range(1, 5)},
}

# parent | component | numerator | denominator | loss rate | fixed loss | unit | skip level
#        | effective from | effective to
BOM = """
10.01.0001|20.01.0001|1
10.01.0001|30.02.0018|1
10.01.0001|20.05.0001|2
10.01.0001|20.09.0001|1|||||yes
10.01.0001|30.04.0001|1
10.01.0001|30.04.0005|1
10.01.0001|30.04.0006|1
10.01.0002|20.01.0001|1
10.01.0002|30.02.0019|1
10.01.0002|20.05.0001|2
10.01.0002|20.09.0001|1|||||yes
10.01.0002|30.04.0001|1
10.01.0002|30.04.0005|1
10.01.0002|30.04.0006|1
10.01.0003|20.01.0002|1
10.01.0003|20.05.0005|1
10.01.0003|20.05.0003|1
10.01.0003|20.05.0002|2
10.01.0003|20.09.0002|1|||||yes
10.01.0003|30.04.0002|1
10.01.0003|30.04.0005|1
10.01.0003|30.04.0006|1
10.01.0004|20.01.0002|1
10.01.0004|30.02.0020|1
10.01.0004|20.05.0002|2
10.01.0004|20.09.0002|1|||||yes
10.01.0004|30.04.0003|1
10.01.0004|30.04.0005|1
10.01.0004|30.04.0006|1
10.01.0005|20.01.0003|1
10.01.0005|30.02.0021|1
10.01.0005|30.02.0010|1
10.01.0005|30.03.0004|8
10.01.0005|30.04.0004|1
10.01.0005|30.04.0005|1
10.01.0005|30.04.0006|1
10.01.0006|20.01.0002|1
10.01.0006|20.05.0005|1
10.01.0006|20.05.0004|1
10.01.0006|20.05.0002|2
10.01.0006|20.09.0002|1|||||yes
10.01.0006|40.01.0001|1
10.01.0006|30.04.0005|1
10.01.0006|30.04.0006|1
20.01.0001|20.02.0001|1
20.01.0001|30.02.0011|1|||||||+30
20.01.0001|30.02.0012|1||||||+31
20.01.0001|30.02.0025|1
20.01.0001|30.02.0008|1
20.01.0001|30.02.0006|1
20.01.0001|30.02.0007|1
20.01.0001|30.03.0004|4
20.01.0002|20.02.0002|1
20.01.0002|30.02.0013|1
20.01.0002|30.02.0025|1
20.01.0002|30.02.0008|1
20.01.0002|30.02.0006|1
20.01.0002|30.02.0007|1
20.01.0002|30.03.0004|4
20.01.0003|20.02.0003|1
20.01.0003|30.02.0014|1
20.01.0003|30.02.0009|1
20.01.0003|30.02.0006|1
20.01.0003|30.03.0004|6
20.02.0001|20.03.0001|1
20.02.0001|20.03.0004|1
20.02.0001|30.02.0003|2
20.02.0001|30.02.0004|1
20.02.0001|30.02.0022|1
20.02.0001|30.03.0001|4
20.02.0002|20.03.0002|1
20.02.0002|20.03.0005|1
20.02.0002|30.02.0002|2
20.02.0002|30.02.0005|1
20.02.0002|30.02.0023|1
20.02.0002|30.03.0002|4
20.02.0003|20.03.0003|1
20.02.0003|20.03.0006|1
20.02.0003|30.02.0003|2
20.02.0003|30.02.0004|1
20.02.0003|30.02.0022|1
20.02.0003|30.03.0001|4
20.03.0001|20.04.0001|1
20.03.0001|30.01.0001|85||0.02||m|||+30
20.03.0001|30.01.0001|82||0.02||m||+31
20.03.0001|30.01.0006|0.3||||m
20.03.0002|20.04.0002|1
20.03.0002|30.01.0002|95||0.02||m
20.03.0002|30.01.0006|0.4||||m
20.03.0003|20.04.0001|1
20.03.0003|30.01.0001|70||0.02||m
20.03.0003|30.01.0006|0.3||||m
20.03.0004|30.02.0001|1
20.03.0004|30.02.0026|1
20.03.0005|30.02.0001|1
20.03.0005|30.02.0027|1
20.03.0006|30.02.0001|1
20.03.0006|30.02.0026|1
20.04.0001|30.01.0003|0.32||||kg
20.04.0002|30.01.0003|0.45||||kg
20.05.0001|30.02.0015|1
20.05.0002|30.02.0016|1
20.05.0003|30.02.0017|1
20.05.0003|30.01.0004|3|20||0.5|kg
20.05.0004|30.02.0017|1
20.05.0004|30.01.0005|3|20||0.5|kg
20.05.0005|30.02.0024|2
20.05.0005|30.03.0002|2
20.09.0001|30.03.0001|4
20.09.0001|30.03.0003|4
20.09.0002|30.03.0002|6
20.09.0002|30.03.0003|6
"""
_BOM_COLUMNS = ("parent_code", "component_code", "qty_numerator", "qty_denominator",
                "variable_loss_rate", "fixed_loss", "unit", "skip_level", "effective_from",
                "effective_to")

# code | 中文名 | English name | type | nettable | available | costed | supplier
WAREHOUSES = """
RM|原材料仓|Raw materials|normal|yes|yes|yes|
SF|半成品仓|Semi-finished goods|normal|yes|yes|yes|
FG|成品仓|Finished goods|normal|yes|yes|yes|
QC|待检仓|Inspection|inspection|no|no|yes|
CV|受托虚仓|Customer material|customer_virtual|yes|yes|no|
SUB|委外仓 中山电镀|At Zhongshan Plating|at_supplier|yes|yes|yes|S004
"""
_WAREHOUSE_COLUMNS = ("warehouse_code", "warehouse_name_zh", "warehouse_name_en",
                      "warehouse_type", "nettable", "available", "costed", "supplier_code")

LOCATIONS = """
RM|A-01|线材区|Wire rack
RM|A-02|电子料架|Electronics shelf
RM|B-01|大件区|Bulky parts
SF|S-01|组件区|Assemblies
FG|F-01|成品一区|Finished goods 1
FG|F-02|成品二区|Finished goods 2
QC|Q-01|来料待检区|Incoming inspection
CV|V-01|客供料区|Customer material
SUB|X-01|中山电镀厂|Zhongshan plating site
"""
_LOCATION_COLUMNS = ("warehouse_code", "location_code", "location_name_zh",
                     "location_name_en")

CUSTOMERS = """
C001|华南家电批发|South China Appliances|91440101MA5C001X1|陈经理|020-8888 1001|广州|Guangzhou
C002|北方百货集团|Northern Department Stores|91110105MA0C002Y2|李女士|010-6666 2002|北京|Beijing
C003|海景酒店集团|Seaview Hotels Group|91460200MA5C003Z3|周先生|0898-8877 3003|三亚|Sanya
C004|网店零售客户|Web shop retail||||线上|Online
C005|天猫旗舰店|Tmall flagship store||||线上|Online
"""
_CUSTOMER_COLUMNS = ("customer_code", "customer_name_zh", "customer_name_en", "tax_id",
                     "contact", "phone", "address_zh", "address_en")

SUPPLIERS = """
S001|宁波铜材有限公司|Ningbo Copper Wire Co.|0574-8765 0001
S002|佛山硅钢制品厂|Foshan Silicon Steel Works|0757-8123 0002
S003|慈溪五金配件厂|Cixi Hardware Parts|0574-6321 0003
S004|中山电镀厂|Zhongshan Plating Works|0760-8899 0004
S005|东莞塑胶制品公司|Dongguan Plastics Co.|0769-2233 0005
S006|顺德包装印刷厂|Shunde Packaging & Printing|0757-2266 0006
S007|深圳电子元件公司|Shenzhen Electronic Components|0755-8600 0007
S008|江门注塑厂|Jiangmen Injection Moulding|0750-3311 0008
S009|广州涂料公司|Guangzhou Coatings Co.|020-3456 0009
"""
_SUPPLIER_COLUMNS = ("supplier_code", "supplier_name_zh", "supplier_name_en", "phone")

UNITS = """
pcs|个|piece|yes
set|套|set|yes
box|盒|box|yes
kg|千克|kilogram|no
m|米|metre|no
"""
_UNIT_COLUMNS = ("unit_code", "unit_name_zh", "unit_name_en", "integer_only")

# 1 from-unit = factor × to-unit; copper wire is bought and stocked by weight, used by length.
UNIT_CONVERSIONS = """
30.01.0001|kg|m|1160
30.01.0002|kg|m|700
30.03.0001|box|pcs|100
30.03.0002|box|pcs|100
30.03.0003|box|pcs|200
30.03.0004|box|pcs|500
"""
_CONVERSION_COLUMNS = ("item_code", "from_unit", "to_unit", "factor")

CODE_MAPPINGS = """
shopify|items|DF30-WHT|10.01.0001
shopify|items|DF30-BLK|10.01.0002
shopify|items|SF40|10.01.0003
shopify|items|WF40|10.01.0004
shopify|items|TF90-RC|10.01.0005
shopify|customers|web-retail|C004
tmall|items|6928800100011|10.01.0001
tmall|items|6928800100028|10.01.0002
tmall|items|6928800100035|10.01.0003
tmall|items|6928800100042|10.01.0004
tmall|items|6928800100059|10.01.0005
tmall|customers|tmall-flagship|C005
"""
_MAPPING_COLUMNS = ("platform", "entity", "external_code", "canonical_code")

# item | warehouse | location | lot | tracking no | qty | locked
STOCK = """
10.01.0001|FG|F-01|FG2611-DW||400|20
10.01.0002|FG|F-01|FG2611-DB||160
10.01.0003|FG|F-02|FG2611-SF||420
10.01.0004|FG|F-02|FG2611-WF||150
10.01.0005|FG|F-02|FG2611-TF||90
20.01.0001|SF|S-01|||300
20.01.0002|SF|S-01|||260
20.01.0003|SF|S-01|||60
20.02.0001|SF|S-01|||450
20.02.0002|SF|S-01|||150
20.02.0003|SF|S-01|||60
20.03.0001|SF|S-01|||380
20.03.0002|SF|S-01|||480
20.03.0003|SF|S-01|||50
20.03.0004|SF|S-01|||400
20.03.0005|SF|S-01|||480
20.03.0006|SF|S-01|||50
20.04.0001|SF|S-01|||540
20.04.0002|SF|S-01|||360
20.05.0001|SF|S-01|||1000
20.05.0002|SF|S-01|||750
20.05.0003|SF|S-01|||220
20.05.0004|SF|S-01||SO-2612-003-1|40
20.05.0005|SF|S-01|||220
30.01.0001|RM|A-01|CU-2611-01||120
30.01.0001|RM|A-01|CU-2611-02||45.5
30.01.0002|RM|A-01|CU-2610-07||160
30.01.0003|RM|B-01|SS-2611-03||1250
30.01.0004|RM|A-02|PW-2611-01||90
30.01.0006|RM|A-02|||750
30.02.0001|RM|A-02|||2800
30.02.0002|RM|A-02|||2400
30.02.0003|RM|A-02|||3100
30.02.0004|RM|A-02|||1200
30.02.0005|RM|A-02|||1300
30.02.0006|RM|A-02|||2300
30.02.0007|RM|B-01|||1500
30.02.0008|RM|A-02|||2600
30.02.0009|RM|A-02|||300
30.02.0010|RM|A-02|||300
30.02.0011|RM|B-01|||1500
30.02.0012|QC|Q-01|JM-2611-01||300
30.02.0013|RM|B-01|||1100
30.02.0014|RM|B-01|||210
30.02.0015|SUB|X-01|||4000
30.02.0016|SUB|X-01|||3000
30.02.0017|RM|B-01|||1200
30.02.0018|RM|B-01|||1100
30.02.0019|RM|B-01|||380
30.02.0020|RM|B-01|||280
30.02.0021|RM|B-01|||220
30.02.0022|RM|A-02|||2300
30.02.0023|RM|A-02|||1350
30.02.0024|RM|B-01|||1300
30.02.0025|RM|A-02|||1900
30.02.0026|RM|A-02|||2450
30.02.0027|RM|A-02|||1700
30.03.0001|RM|A-02|||12000
30.03.0002|RM|A-02|||10000
30.03.0003|RM|A-02|||15000
30.03.0004|RM|A-02|||20000
30.04.0001|RM|B-01|||800
30.04.0002|RM|B-01|||520
30.04.0003|RM|B-01|||250
30.04.0004|RM|B-01|||180
30.04.0005|RM|B-01|||2000
30.04.0006|RM|B-01|||1800
40.01.0001|CV|V-01|||200
"""
_STOCK_COLUMNS = ("item_code", "warehouse_code", "location_code", "lot", "tracking_no",
                  "qty", "locked_qty")

# Unissued components of the released tasks below
# (item | qty | date | type | document | tracking no).
ALLOCATIONS = """
20.02.0002|200|+0|production_task|MO-2611-032
30.02.0013|200|+0|production_task|MO-2611-032
30.02.0007|200|+0|production_task|MO-2611-032
20.03.0002|200|+1|production_task|MO-2612-001
20.03.0005|200|+1|production_task|MO-2612-001
30.02.0002|400|+1|production_task|MO-2612-001
20.01.0002|120|+14|production_task|MO-2612-002|SO-2612-003-1
20.05.0002|240|+14|production_task|MO-2612-002|SO-2612-003-1
20.05.0004|120|+14|production_task|MO-2612-002|SO-2612-003-1
40.01.0001|120|+14|production_task|MO-2612-002|SO-2612-003-1
"""
_ALLOCATION_COLUMNS = ("item_code", "qty", "required_date", "source_type", "source_no",
                       "tracking_no")

# order | line | customer | item | qty | shipped | due | price | platform | tracking | pushed
SALES_ORDERS = """
SO-2611-018|1|C001|10.01.0001|400|250|+2|89|||
SO-2611-018|2|C001|10.01.0003|150||+2|159|||
SO-2612-001|1|C001|10.01.0001|500||+16|89|||
SO-2612-001|2|C001|10.01.0002|200||+16|89|||
SO-2612-001|3|C001|10.01.0003|300||+16|159|||
SO-2612-001|4|C001|10.01.0004|100||+16|139|||
SO-2612-002|1|C002|10.01.0003|120||+9|165|||
SO-2612-002|2|C002|10.01.0004|60||+9|145|||
SO-2612-002|3|C002|10.01.0005|40||+9|269|||
SO-2612-003|1|C003|10.01.0006|120||+20|189||SO-2612-003-1|120
SO-2612-003|2|C003|10.01.0004|40||+20|145|||
SO-2612-006|1|C001|10.01.0001|600||+37|89|||
SO-2612-006|2|C001|10.01.0003|250||+37|159|||
SO-2612-006|3|C001|10.01.0005|80||+37|259|||
SO-2612-007|1|C002|10.01.0001|200||+44|95|||
SO-2612-007|2|C002|10.01.0005|60||+44|269|||
SO-2612-010|1|C003|10.01.0006|200||+48|189||SO-2612-010-1|
SO-2612-012|1|C001|10.01.0001|500||+58|89|||
SO-2612-012|2|C001|10.01.0002|150||+58|89|||
SO-2612-012|3|C001|10.01.0003|300||+58|159|||
SO-2612-012|4|C001|10.01.0004|120||+58|139|||
SO-2612-013|1|C002|10.01.0003|180||+62|165|||
SO-2612-013|2|C002|10.01.0004|80||+62|145|||
SHOP-10231|1|C004|10.01.0001|2||+1|129|shopify||
SHOP-10232|1|C004|10.01.0005|1||+1|359|shopify||
SHOP-10232|2|C004|10.01.0002|1||+1|129|shopify||
SHOP-10240|1|C004|10.01.0003|1||+7|219|shopify||
SHOP-10241|1|C004|10.01.0001|3||+8|129|shopify||
SHOP-10255|1|C004|10.01.0004|2||+14|199|shopify||
SHOP-10262|1|C004|10.01.0005|2||+21|359|shopify||
SHOP-10270|1|C004|10.01.0001|1||+28|129|shopify||
SHOP-10270|2|C004|10.01.0003|1||+28|219|shopify||
SHOP-10288|1|C004|10.01.0002|2||+35|129|shopify||
TM-3926101|1|C005|10.01.0001|5||+2|119|tmall||
TM-3926188|1|C005|10.01.0003|2||+9|209|tmall||
TM-3926250|1|C005|10.01.0005|3||+15|339|tmall||
TM-3926311|1|C005|10.01.0001|6||+22|119|tmall||
TM-3926402|1|C005|10.01.0002|4||+29|119|tmall||
TM-3926477|1|C005|10.01.0004|2||+36|189|tmall||
TM-3926560|1|C005|10.01.0001|8||+43|119|tmall||
TM-3926633|1|C005|10.01.0003|3||+50|209|tmall||
"""
_SALES_COLUMNS = ("order_no", "line_no", "customer_code", "item_code", "qty", "shipped_qty",
                  "due_date", "unit_price", "source_platform", "tracking_no", "pushed_qty")

# Weekly forecasts (Mondays) of the make-to-stock fans: base quantity and a gentle ramp
# towards the pre-Spring-Festival peak; orders consume them in MRP.
FORECAST_BASE = {"10.01.0001": 300, "10.01.0002": 100, "10.01.0003": 200,
                 "10.01.0004": 80, "10.01.0005": 50}
FORECAST_RAMP = (1.0, 1.0, 1.1, 1.1, 0.8, 1.2, 1.2, 1.3, 1.3, 1.0)
FIRST_FORECAST_OFFSET = 6  # the first Monday after the planning date

# PO | line | supplier | item | qty | received | due | price | status | tracking
PURCHASE_ORDERS = """
PO-2611-021|1|S001|30.01.0001|100||+7|78|open|
PO-2611-022|1|S003|30.02.0002|2000||+9|0.9|open|
PO-2611-022|2|S003|30.02.0003|3000|1000|+9|0.25|open|
PO-2611-025|1|S008|30.02.0012|1000|300|+27|1.7|open|
PO-2611-027|1|S006|30.04.0001|1000||+14|2.1|open|
PO-2611-027|2|S006|30.04.0002|600||+14|3.3|open|
PO-2611-030|1|S005|30.02.0011|500|500|-3|1.9|closed|
PO-2612-001|1|S002|30.01.0003|1000||+15|7.8|open|
PO-2612-002|1|S009|30.01.0005|15||+8|45|open|SO-2612-003-1
PO-2612-003|1|S007|30.02.0004|1000||+13|0.6|open|
"""
_PO_COLUMNS = ("po_no", "line_no", "supplier_code", "item_code", "qty", "received_qty",
               "due_date", "unit_price", "status", "tracking_no")

# task | item | qty | stocked | start | finish | status | tracking | warehouse | source order
PRODUCTION_TASKS = """
MO-2611-026|20.02.0001|100|60|-10|-3|released||SF||
MO-2611-031|10.01.0001|300|120|-4|+2|released||FG||
MO-2611-032|20.01.0002|200||-1|+1|released||SF||
MO-2612-001|20.02.0002|200||+0|+3|released||SF||
MO-2612-002|10.01.0006|120||+14|+17|released|SO-2612-003-1|FG|SO-2612-003|1
"""
_TASK_COLUMNS = ("task_no", "item_code", "qty", "stocked_qty", "start_date", "due_date",
                 "status", "tracking_no", "warehouse_code", "source_order_no",
                 "source_line_no")

SUBCONTRACT_ORDERS = """
WW-2611-008|1|S004|20.05.0002|300|100|+6|1.2|open
WW-2611-008|2|S004|20.05.0001|400||+8|1.0|open
"""
_SUBCONTRACT_COLUMNS = ("order_no", "line_no", "supplier_code", "item_code", "qty",
                        "received_qty", "due_date", "unit_price", "status")

# One subcontract cycle on WW-2611-008 line 2 (DOMAIN §6): 300 raw 30 cm guards bought
# into RM, sent to the plater, 250 plated guards back (consuming 250 raw ones at the
# supplier, fee 1.00 from the order), then the plater's invoice at 1.10 → adjustment
# 25.00; and the hotel chain's gift boxes arriving into the customer-material warehouse.
SUBCONTRACT_MATERIALS = """
WW-2611-008|1|30.02.0016|1
WW-2611-008|2|30.02.0015|1
"""
_SUBCONTRACT_MATERIAL_COLUMNS = ("order_no", "order_line", "component_code", "qty_per")
_DOC_COLUMNS = ("doc_no", "line_no", "doc_date", "item_code", "warehouse_code",
                "location_code", "lot", "qty")
DEMO_DOCUMENTS = {  # sheet -> (rows, extra columns)
    "purchase_receipts": ("CG-2611-041|1|-7|30.02.0015|RM|||300|S003|3.1",
                          ("supplier_code", "unit_cost")),
    "subcontract_issues": ("WF-2611-015|1|-6|30.02.0015|RM|||300|WW-2611-008|2",
                           ("order_no", "order_line")),
    "subcontract_receipts": ("WR-2611-009|1|-2|20.05.0001|SF|S-01||250|WW-2611-008|2",
                             ("order_no", "order_line")),
    "subcontract_fee_invoices": ("FP-2612-001|1|+0|20.05.0001|SF|||250|WW-2611-008|2|1.1",
                                 ("order_no", "order_line", "fee_price")),
    "consigned_receipts": ("SL-2611-003|1|-3|40.01.0001|CV|V-01||100|C003",
                           ("customer_code",)),
}


# The desk-fan task MO-2611-031 (300, 120 made so far): its material list, a kit issue for
# the next 100 sets, and the receipt of 100 fans that backflushes the screws (DOMAIN §6).
# task | component | qty per | loss rate | fixed loss | required | issued | scrapped | method
#      | supply warehouse
TASK_MATERIALS = """
MO-2611-031|20.01.0001|1|0|0|300|120|0|direct|SF
MO-2611-031|20.05.0001|2|0|0|600|240|0|direct|SF
MO-2611-031|30.02.0018|1|0|0|300|120|0|direct|RM
MO-2611-031|30.03.0001|4|0|0|1200|480|0|backflush|RM
MO-2611-031|30.03.0003|4|0|0|1200|480|0|backflush|RM
MO-2611-031|30.04.0001|1|0|0|300|120|0|direct|RM
MO-2611-031|30.04.0005|1|0|0|300|120|0|direct|RM
MO-2611-031|30.04.0006|1|0|0|300|120|0|direct|RM
"""
_TASK_MATERIAL_COLUMNS = ("task_no", "component_code", "qty_per", "variable_loss_rate",
                          "fixed_loss", "required_qty", "issued_qty", "scrapped_qty",
                          "issue_method", "supply_warehouse")
PRODUCTION_DOCUMENTS = {
    "material_issues": ("LL-2611-050|1|-1||||||MO-2611-031|kit|100",
                        ("task_no", "issue_mode", "sets")),
    "product_receipts": ("CP-2611-020|1|+0|10.01.0001|FG|F-01||100|MO-2611-031",
                         ("task_no",)),
}
# 1,000 capacitors from PO-2612-003 wait in the inspection warehouse; the inspection
# passes 950, accepts 30 on concession and rejects 20: 980 to stock, 95 % / 98 % (DOMAIN §6).
RECEIPT_NOTICES = "SH-2611-012|1|-1|30.02.0004|QC|Q-01||1000|S007|0.6"
INSPECTIONS = "JY-2611-012|1|+0|SH-2611-012|1|950|30|20|0|RM"
_INSPECTION_COLUMNS = ("doc_no", "line_no", "doc_date", "notice_no", "notice_line",
                       "passed_qty", "concession_qty", "rejected_qty", "scrapped_qty",
                       "stock_warehouse")


def demo_documents(planning_date: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The demo's shop-floor documents, dates as offsets from the planning date."""
    blocks = {**{name: (rows, (*_DOC_COLUMNS, *extra))
                 for name, (rows, extra) in {**DEMO_DOCUMENTS, **PRODUCTION_DOCUMENTS}.items()},
              "receipt_notices": (RECEIPT_NOTICES, (*_DOC_COLUMNS, "supplier_code",
                                                    "unit_cost")),
              "inspections": (INSPECTIONS, _INSPECTION_COLUMNS)}
    documents = {name: shift_dates(parse(rows, columns), ("doc_date",), planning_date)
                 for name, (rows, columns) in blocks.items()}
    return {"task_materials": parse(TASK_MATERIALS, _TASK_MATERIAL_COLUMNS), **documents}

# setting | value | 中文说明 | English note
SETTINGS = """
planning_date|{planning_date}|计划日期：MRP 从这天开始|Planning date: MRP starts here
bucket|week|计划时段：day / week / month|Planning bucket: day, week or month
item_code_pattern|{pattern}|物料编码规则（正则），留空不检查|Item code rule (regex); blank = none
as_of|{planning_date}|检查日期：BOM 按此日生效的行展开|Check date: the BOM lines in effect then
language|{lang}|工作簿语言：zh / en|Workbook language: zh or en
"""


def parse(text: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """A pipe-separated block as a frame of text cells; short rows end in blanks."""
    rows = []
    for line in text.strip().splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > len(columns):
            raise ValueError(f"too many cells in demo row {line!r}")
        rows.append(cells + [""] * (len(columns) - len(cells)))
    return pd.DataFrame(rows, columns=list(columns), dtype=object)


def pick_language(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """Keep the `<name>_zh` or `<name>_en` column of each pair, renamed to `<name>`."""
    suffix, other = (f"_{lang}", "_en" if lang == "zh" else "_zh")
    keep = {c: c.removesuffix(suffix) for c in frame.columns if c.endswith(suffix)}
    dropped = [c for c in frame.columns if c.endswith(other)]
    return frame.drop(columns=dropped).rename(columns=keep)


def shift_dates(frame: pd.DataFrame, columns: tuple[str, ...],
                planning_date: pd.Timestamp) -> pd.DataFrame:
    """Turn "+16" / "-3" day offsets into dates after/before the planning date."""
    out = frame.copy()
    for name in columns:
        offsets = pd.to_numeric(out[name].replace("", None), errors="raise")
        out[name] = planning_date + pd.to_timedelta(offsets, unit="D")
    return out


def typed_tables(raw: dict[str, pd.DataFrame], lang: Lang) -> dict[str, pd.DataFrame]:
    """Every input table typed; the demo has no rows for tables it leaves out (the shop
    floor documents and cost sheets start empty)."""
    return {name: typed(name, raw[name], lang) if name in raw else empty_frame(table(name))
            for name in INPUT_TABLES}


def typed(name: str, raw: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    """The schema's typed frame with `_row` as the Excel row each record will occupy."""
    spec = table(name)
    raw = raw.replace("", None) if len(raw) else raw
    raw = raw.assign(**{ROW: range(2, len(raw) + 2)})
    frame, issues = coerce(spec, raw, spec.name, lang)
    if issues:  # the demo is code: a bad cell here is a programming error
        raise ValueError(f"demo table {name}: " + "; ".join(i.message("en") for i in issues))
    return frame


def items_frame(lang: Lang, raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """The item rows (the factory's unless `raw` is given) with their derived columns."""
    raw = pick_language(parse(ITEMS, _ITEM_COLUMNS), lang) if raw is None else raw.copy()
    raw["purchase_price"] = raw["standard_cost"].where(raw["item_type"] == "purchased", "")
    # whole-piece items are counted, bulk materials (kg, m) are not
    raw["integer_only"] = raw["stock_unit"].isin(["pcs", "set"])
    policies = pd.DataFrame.from_dict(ITEM_POLICIES, orient="index").reindex(raw["item_code"])
    for column in policies.columns:
        values = policies[column].to_numpy(dtype=object)
        raw[column] = pd.Series(values).where(pd.notna(values), None)
    return raw


def forecasts_frame(planning_date: pd.Timestamp) -> pd.DataFrame:
    """One forecast per MTS fan and week: base quantity × that week's ramp factor."""
    weeks = len(FORECAST_RAMP)
    items = list(FORECAST_BASE)
    codes = [code for code in items for _ in range(weeks)]
    ramp = pd.Series(FORECAST_RAMP * len(items))
    base = pd.Series([FORECAST_BASE[code] for code in codes])
    offsets = [FIRST_FORECAST_OFFSET + 7 * week for _ in items for week in range(weeks)]
    dates = planning_date + pd.to_timedelta(offsets, unit="D")
    return pd.DataFrame({"item_code": codes, "forecast_date": dates,
                         "qty": (base * ramp).round(), "forecast_no": "FC-2612"})


def calendar_frame(planning_date: pd.Timestamp, lang: Lang) -> pd.DataFrame:
    """Every day of the next three months: weekends and public holidays off."""
    dates = pd.date_range(planning_date, periods=CALENDAR_DAYS, freq="D")
    keys = dates.strftime("%Y-%m-%d")
    holiday = keys.isin(list(HOLIDAYS))
    note = [HOLIDAYS[k][0 if lang == "zh" else 1] if k in HOLIDAYS else "" for k in keys]
    return pd.DataFrame({"calendar_date": dates, "working": (dates.day_of_week < 5) & ~holiday,
                         "note": note})


def settings_frame(planning_date: pd.Timestamp, lang: Lang, pattern: str) -> pd.DataFrame:
    """The settings rows; `pattern` is the item code rule ("" for none)."""
    text = SETTINGS.format(planning_date=planning_date.strftime("%Y-%m-%d"), lang=lang,
                           pattern=pattern)
    return pick_language(parse(text, ("setting", "value", "note_zh", "note_en")), lang)


def demo_tables(lang: Lang, planning_date: pd.Timestamp = PLANNING_DATE
                ) -> dict[str, pd.DataFrame]:
    """Every input table of the fan factory, typed, in `addin.schema.INPUT_TABLES` order."""
    date = pd.Timestamp(planning_date)
    raw = {
        "items": items_frame(lang),
        "bom": shift_dates(parse(BOM, _BOM_COLUMNS), ("effective_from", "effective_to"), date),
        "warehouses": pick_language(parse(WAREHOUSES, _WAREHOUSE_COLUMNS), lang),
        "locations": pick_language(parse(LOCATIONS, _LOCATION_COLUMNS), lang),
        "customers": pick_language(parse(CUSTOMERS, _CUSTOMER_COLUMNS), lang),
        "suppliers": pick_language(parse(SUPPLIERS, _SUPPLIER_COLUMNS), lang),
        "units": pick_language(parse(UNITS, _UNIT_COLUMNS), lang),
        "unit_conversions": parse(UNIT_CONVERSIONS, _CONVERSION_COLUMNS),
        "calendar": calendar_frame(date, lang),
        "code_mappings": parse(CODE_MAPPINGS, _MAPPING_COLUMNS),
        "settings": settings_frame(date, lang, CODE_PATTERN),
        "stock": parse(STOCK, _STOCK_COLUMNS),
        "allocations": shift_dates(parse(ALLOCATIONS, _ALLOCATION_COLUMNS),
                                   ("required_date",), date),
        "sales_orders": shift_dates(parse(SALES_ORDERS, _SALES_COLUMNS), ("due_date",), date),
        "forecasts": forecasts_frame(date),
        "purchase_orders": shift_dates(parse(PURCHASE_ORDERS, _PO_COLUMNS), ("due_date",),
                                       date),
        "production_tasks": shift_dates(parse(PRODUCTION_TASKS, _TASK_COLUMNS),
                                        ("start_date", "due_date"), date),
        "subcontract_orders": shift_dates(parse(SUBCONTRACT_ORDERS, _SUBCONTRACT_COLUMNS),
                                          ("due_date",), date),
        "subcontract_materials": parse(SUBCONTRACT_MATERIALS, _SUBCONTRACT_MATERIAL_COLUMNS),
        **demo_documents(date),
    }
    return typed_tables(raw, lang)


# ---------------------------------------------------------------- template examples
# One tiny, self-consistent example per sheet of the empty templates: a desk fan made
# of a bought motor, a blade painted by a subcontractor and four bought screws.
EXAMPLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "items": ("""
FAN-01|台扇（示例）|Desk fan (example)|30 cm|pcs|manufactured|MTS|3|10|FG||60
MOT-01|电机（示例）|Motor (example)|30 W|pcs|purchased|MTS|10|20|RM|S001|25
BLD-01|扇叶 喷涂（示例）|Blade painted (example)|30 cm|pcs|subcontracted|MTS|5|0|RM|S002|4
BLD-RAW|扇叶 毛坯（示例）|Blade raw (example)|30 cm|pcs|purchased|MTS|7|0|SUB|S001|2.5
SCR-01|螺丝 M4×10（示例）|Screw M4×10 (example)|zinc|pcs|purchased|MTS|5|500|RM|S001|0.02
""", _ITEM_COLUMNS),
    "bom": ("FAN-01|MOT-01|1\nFAN-01|BLD-01|1\nFAN-01|SCR-01|4\nBLD-01|BLD-RAW|1",
            _BOM_COLUMNS),
    "warehouses": ("""
RM|原材料仓|Raw materials|normal|yes|yes|yes|
FG|成品仓|Finished goods|normal|yes|yes|yes|
SUB|委外仓|At subcontractor|at_supplier|yes|yes|yes|S002
""", _WAREHOUSE_COLUMNS),
    "locations": ("RM|A-01|货架 A-01|Shelf A-01\nFG|F-01|成品区|Finished goods area",
                  _LOCATION_COLUMNS),
    "customers": ("C001|示例客户|Example Customer Ltd.||王先生|020-1234 5678|广州|Guangzhou",
                  _CUSTOMER_COLUMNS),
    "suppliers": ("S001|示例供应商|Example Supplier|0757-1234 5678\n"
                  "S002|示例喷涂厂|Example Paint Shop|0757-8765 4321", _SUPPLIER_COLUMNS),
    "units": ("pcs|个|piece|yes\nbox|盒|box|yes", _UNIT_COLUMNS),
    "unit_conversions": ("SCR-01|box|pcs|100", _CONVERSION_COLUMNS),
    "code_mappings": ("shopify|items|FAN-01-WHT|FAN-01", _MAPPING_COLUMNS),
    "stock": ("FAN-01|FG|F-01|||20\nMOT-01|RM|A-01|L2611-01||50", _STOCK_COLUMNS),
    "allocations": ("MOT-01|20|+0|production_task|MO-0001", _ALLOCATION_COLUMNS),
    "sales_orders": ("SO-0001|1|C001|FAN-01|50||+14|89|||\n"
                     "SO-0002|1|C001|FAN-01|2||+7|129|shopify||", _SALES_COLUMNS),
    "purchase_orders": ("PO-0001|1|S001|MOT-01|100||+10|25|open|", _PO_COLUMNS),
    "production_tasks": ("MO-0001|FAN-01|20||+0|+3|released||FG||", _TASK_COLUMNS),
    "subcontract_orders": ("WW-0001|1|S002|BLD-01|50||+5|1.5|open", _SUBCONTRACT_COLUMNS),
}
_EXAMPLE_DATES = {"bom": ("effective_from", "effective_to"), "allocations": ("required_date",),
                  "sales_orders": ("due_date",), "purchase_orders": ("due_date",),
                  "production_tasks": ("start_date", "due_date"),
                  "subcontract_orders": ("due_date",)}
EXAMPLE_CALENDAR = (("+0", True, "", ""), ("+4", False, "周六", "Saturday"),
                    ("+31", False, "元旦", "New Year's Day"))
EXAMPLE_FORECAST = ("FAN-01", "+6", 100, "FC-0001")


def example_tables(lang: Lang, planning_date: pd.Timestamp = PLANNING_DATE
                   ) -> dict[str, pd.DataFrame]:
    """The empty template's example rows, typed, in `INPUT_TABLES` order."""
    date = pd.Timestamp(planning_date)
    raw = {}
    for name, (text, columns) in EXAMPLES.items():
        frame = pick_language(parse(text, columns), lang)
        raw[name] = shift_dates(frame, _EXAMPLE_DATES.get(name, ()), date)
    raw["items"] = items_frame(lang, raw["items"])
    raw["calendar"] = shift_dates(pd.DataFrame(
        [(offset, working, zh if lang == "zh" else en)
         for offset, working, zh, en in EXAMPLE_CALENDAR],
        columns=["calendar_date", "working", "note"]), ("calendar_date",), date)
    item, offset, qty, number = EXAMPLE_FORECAST
    raw["forecasts"] = shift_dates(pd.DataFrame(
        {"item_code": [item], "forecast_date": [offset], "qty": [qty], "forecast_no": [number]}),
        ("forecast_date",), date)
    raw["settings"] = settings_frame(date, lang, "")
    return typed_tables(raw, lang)
