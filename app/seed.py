"""The demo company behind ``fieldline seed-demo``.

Users, teams, customers, contacts and the open follow-ups go through the services, so
passwords are hashed, phones normalised and rules applied exactly as for real users. The
closed history (about 2,900 past activities and completed follow-ups) is built in one batch
with the same derived columns, for speed; see ``_closed_activities``.

Content is deterministic (``random.Random(42)``, uuid5 ids from a fixed namespace); only the
dates move: "today" is the seeding day in Asia/Shanghai, so every rep's agenda always has
something overdue, due today (before and after now) and coming up.

Idempotent: the whole company is one transaction, so when the demo admin exists the company
is complete and a second run changes nothing.
"""
import math
import os
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import click
import phonenumbers
from sqlalchemy import select

from app import seed_sales
from app.extensions import db
from app.models import Activity, Customer, Team, User
from app.services import activities as activity_service
from app.services import customers as customer_service
from app.services import users as user_service
from app.services.errors import ServiceError
from app.services.normalize import company_key
from app.services.rollups import rebuild_activity_rollups
from app.seed_expenses import seed_expenses

NAMESPACE = uuid.UUID("5d1f6c2e-8a43-4f0b-9c77-0e2f1a6b3d11")
DOMAIN = "demo.fieldline.app"
PASSWORD = "fieldline"
TZ_NAME = "Asia/Shanghai"
TZ = ZoneInfo(TZ_NAME)
HISTORY_DAYS = 60
CUSTOMER_COUNT = 200
CUSTOMERS_PER_LEAD = 6
UPCOMING_DAYS = activity_service.UPCOMING_DAYS


def demo_id(*parts) -> uuid.UUID:
    """The fixed id of a demo record, the same on every install."""
    return uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts))


# People -------------------------------------------------------------------------------------

TEAMS = (
    # key, name, cities its customers are in
    ("east", "华东 East", ("Shanghai", "Hangzhou", "Suzhou", "Nanjing", "Ningbo")),
    ("south", "华南 South", ("Guangzhou", "Shenzhen", "Xiamen", "Dongguan")),
)

USERS = (
    # email local part, name, role, team key, locale
    ("admin", "Grace Lin", "admin", None, "en"),
    ("manager", "陈静", "manager", None, "en"),
    ("finance", "Michael Wu", "finance", None, "en"),
    ("cashier", "刘芳", "cashier", None, "en"),
    ("lead.east", "张敏", "lead", "east", "en"),
    ("lead.south", "David Chen", "lead", "south", "en"),
    ("rep1", "王伟", "rep", "east", "en"),
    ("rep2", "Li Na", "rep", "east", "en"),
    ("rep3", "刘洋", "rep", "east", "zh-CN"),
    ("rep4", "Kevin Zhang", "rep", "east", "en"),
    ("rep5", "黄丽", "rep", "south", "en"),
    ("rep6", "孙浩", "rep", "south", "zh-CN"),
    ("rep7", "Emily Huang", "rep", "south", "en"),
)


def _email(local: str) -> str:
    return f"{local}@{DOMAIN}"


# Places -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class City:
    name: str
    zh: str
    lat: float
    lng: float
    area: str            # trunk code without the 0
    local_digits: int    # landline subscriber number length
    districts: tuple     # (zh, en)
    roads: tuple         # (zh, en)


CITIES = {c.name: c for c in (
    City("Shanghai", "上海", 31.2304, 121.4737, "21", 8,
         (("静安区", "Jing'an District"), ("黄浦区", "Huangpu District"),
          ("浦东新区", "Pudong New Area"), ("徐汇区", "Xuhui District"),
          ("长宁区", "Changning District"), ("闵行区", "Minhang District")),
         (("南京西路", "Nanjing West Road"), ("淮海中路", "Huaihai Middle Road"),
          ("世纪大道", "Century Avenue"), ("虹桥路", "Hongqiao Road"),
          ("张江路", "Zhangjiang Road"), ("漕溪北路", "Caoxi North Road"))),
    City("Hangzhou", "杭州", 30.2741, 120.1551, "571", 8,
         (("西湖区", "Xihu District"), ("上城区", "Shangcheng District"),
          ("滨江区", "Binjiang District"), ("拱墅区", "Gongshu District")),
         (("文三路", "Wensan Road"), ("延安路", "Yan'an Road"),
          ("江南大道", "Jiangnan Avenue"), ("庆春路", "Qingchun Road"))),
    City("Suzhou", "苏州", 31.2990, 120.5853, "512", 8,
         (("姑苏区", "Gusu District"), ("工业园区", "Suzhou Industrial Park"),
          ("吴中区", "Wuzhong District")),
         (("干将路", "Ganjiang Road"), ("星湖街", "Xinghu Street"),
          ("金鸡湖大道", "Jinji Lake Avenue"), ("人民路", "Renmin Road"))),
    City("Nanjing", "南京", 32.0603, 118.7969, "25", 8,
         (("鼓楼区", "Gulou District"), ("玄武区", "Xuanwu District"),
          ("建邺区", "Jianye District"), ("秦淮区", "Qinhuai District")),
         (("中山路", "Zhongshan Road"), ("汉中路", "Hanzhong Road"),
          ("珠江路", "Zhujiang Road"), ("江东中路", "Jiangdong Middle Road"))),
    City("Ningbo", "宁波", 29.8683, 121.5440, "574", 8,
         (("海曙区", "Haishu District"), ("鄞州区", "Yinzhou District"),
          ("江北区", "Jiangbei District")),
         (("中山东路", "Zhongshan East Road"), ("天童南路", "Tiantong South Road"),
          ("江东北路", "Jiangdong North Road"))),
    City("Guangzhou", "广州", 23.1291, 113.2644, "20", 8,
         (("天河区", "Tianhe District"), ("越秀区", "Yuexiu District"),
          ("海珠区", "Haizhu District"), ("番禺区", "Panyu District")),
         (("天河路", "Tianhe Road"), ("环市东路", "Huanshi East Road"),
          ("花城大道", "Huacheng Avenue"), ("中山五路", "Zhongshan 5th Road"))),
    City("Shenzhen", "深圳", 22.5431, 114.0579, "755", 8,
         (("福田区", "Futian District"), ("南山区", "Nanshan District"),
          ("罗湖区", "Luohu District"), ("宝安区", "Bao'an District")),
         (("深南大道", "Shennan Avenue"), ("华强北路", "Huaqiang North Road"),
          ("福华路", "Fuhua Road"), ("南海大道", "Nanhai Avenue"))),
    City("Xiamen", "厦门", 24.4798, 118.0894, "592", 7,
         (("思明区", "Siming District"), ("湖里区", "Huli District")),
         (("湖滨南路", "Hubin South Road"), ("嘉禾路", "Jiahe Road"),
          ("厦禾路", "Xiahe Road"), ("鹭江道", "Lujiang Road"))),
    City("Dongguan", "东莞", 23.0207, 113.7518, "769", 8,
         (("南城街道", "Nancheng Subdistrict"), ("东城街道", "Dongcheng Subdistrict"),
          ("松山湖", "Songshan Lake")),
         (("东城大道", "Dongcheng Avenue"), ("鸿福路", "Hongfu Road"),
          ("莞太路", "Guantai Road"))),
)}

# Companies ----------------------------------------------------------------------------------

# (Chinese word, English word, industry, pinyin for email domains)
BUSINESSES = (
    ("贸易", "Trading", "Trading", "trade"),
    ("机械", "Machinery", "Machinery", "jixie"),
    ("电子", "Electronics", "Electronics", "dianzi"),
    ("食品", "Foods", "Food & Beverage", "food"),
    ("医疗器械", "Medical", "Medical Devices", "medical"),
    ("建材", "Building Materials", "Building Materials", "jiancai"),
    ("物流", "Logistics", "Logistics", "logistics"),
    ("化工", "Chemicals", "Chemicals", "chem"),
    ("纺织", "Textiles", "Textiles", "textile"),
    ("包装", "Packaging", "Packaging", "pack"),
    ("科技", "Technology", "Technology", "tech"),
    ("餐饮管理", "Hospitality", "Hospitality", "catering"),
    ("五金", "Hardware", "Hardware", "wujin"),
    ("汽车配件", "Auto Parts", "Automotive", "autoparts"),
    ("家具", "Furniture", "Furniture", "jiaju"),
    ("印务", "Printing", "Printing", "print"),
)
CN_BRANDS = (
    ("华联", "hualian"), ("金桥", "jinqiao"), ("恒通", "hengtong"), ("瑞丰", "ruifeng"),
    ("鑫达", "xinda"), ("宏远", "hongyuan"), ("天成", "tiancheng"), ("永盛", "yongsheng"),
    ("德力", "deli"), ("新源", "xinyuan"), ("联创", "lianchuang"), ("中晟", "zhongsheng"),
    ("百川", "baichuan"), ("海纳", "haina"), ("启明", "qiming"), ("嘉禾", "jiahe"),
    ("凯达", "kaida"), ("锦华", "jinhua"), ("华信", "huaxin"), ("博远", "boyuan"),
    ("安泰", "antai"), ("长风", "changfeng"), ("润泽", "runze"), ("华茂", "huamao"),
    ("立新", "lixin"), ("同创", "tongchuang"), ("万源", "wanyuan"), ("泰和", "taihe"),
    ("汇通", "huitong"), ("远航", "yuanhang"), ("宝丰", "baofeng"), ("鼎盛", "dingsheng"),
    ("信诚", "xincheng"), ("东升", "dongsheng"), ("三禾", "sanhe"), ("恒昌", "hengchang"),
)
CN_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
EN_BRANDS = (
    "Golden Dragon", "Acme", "Pacific Rim", "Pearl River", "Blue Harbor", "Silver Crane",
    "Jade Mountain", "Eastwind", "Red Lantern", "Summit", "Lotus", "Phoenix", "Evergreen",
    "Bamboo Grove", "Orient Star", "Sunrise", "Yangtze", "Westlake", "Meridian", "Northstar",
    "Crystal Bay", "Silk Road", "Kingfisher", "Brightway", "Unity", "Zenith", "Horizon",
    "Coastal", "Lion Rock", "Red Kapok",
)
EN_SUFFIXES = ("Co., Ltd.", "Co., Ltd.", "Ltd.", "", "Group", "({city}) Co., Ltd.", "Inc.")
FIXED_COMPANIES = (  # the first three, so the examples in the docs exist
    ("上海华联贸易有限公司", "Shanghai", "Trading"),
    ("Acme Industrial Co., Ltd.", "Suzhou", "Machinery"),
    ("Golden Dragon Foods", "Guangzhou", "Food & Beverage"),
)
SOURCES = ("Referral", "Trade show", "Website", "Cold call", "Partner", "WeChat",
           "Existing customer")
TAGS = ("VIP", "重点客户", "distributor", "经销商", "key account", "trade show", "tender",
        "招标", "price sensitive", "续约", "renewal", "export", "new")

# Contacts -----------------------------------------------------------------------------------

SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("周", "zhou"), ("吴", "wu"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"),
    ("何", "he"), ("林", "lin"), ("罗", "luo"), ("高", "gao"), ("郑", "zheng"),
    ("梁", "liang"), ("谢", "xie"), ("唐", "tang"), ("许", "xu"), ("韩", "han"),
    ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("宋", "song"),
)
GIVEN_NAMES = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"),
    ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"),
    ("超", "chao"), ("秀英", "xiuying"), ("霞", "xia"), ("平", "ping"), ("刚", "gang"),
    ("建华", "jianhua"), ("晓东", "xiaodong"), ("海燕", "haiyan"), ("志强", "zhiqiang"),
    ("文博", "wenbo"), ("子涵", "zihan"), ("思远", "siyuan"), ("佳怡", "jiayi"),
    ("俊杰", "junjie"),
)
EN_FIRST = ("David", "Jason", "Kevin", "Linda", "Amy", "Cindy", "Eric", "Frank", "Grace",
            "Helen", "Jack", "Lucy", "Michael", "Nancy", "Peter", "Sophia", "Tony", "Vivian",
            "Wendy", "Alan", "Bruce", "Iris")
EN_LAST = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Zhou", "Wu", "Xu",
           "Lin", "Guo", "Luo", "Zheng", "Liang", "Tang", "Smith", "Müller", "Tanaka", "Park")
BOSS_TITLES = (("总经理", "General Manager"), ("董事长", "Chairman"), ("老板", "Owner"),
               ("副总经理", "Deputy General Manager"))
STAFF_TITLES = (
    ("采购经理", "Purchasing Manager", "influencer"),
    ("采购专员", "Buyer", "user"),
    ("技术总监", "Technical Director", "influencer"),
    ("生产主管", "Production Supervisor", "user"),
    ("财务经理", "Finance Manager", "influencer"),
    ("运营总监", "Operations Director", "champion"),
    ("项目经理", "Project Manager", "champion"),
    ("前台", "Receptionist", "gatekeeper"),
    ("总经理助理", "Assistant to the GM", "gatekeeper"),
    ("工程师", "Engineer", "user"),
    ("行政主管", "Office Manager", "other"),
)
MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "152", "158", "159",
                   "186", "187", "188", "130", "131", "132", "155", "156", "185", "133",
                   "153", "180", "181", "189", "177", "199")

# What was said ------------------------------------------------------------------------------

NOTES = {
    ("call", "interested"): (
        ("Interested in the new price list, wants samples.", "对新价格表感兴趣，想要样品。"),
        ("Liked the spec sheet; asked about lead times.", "看了规格书，询问交期。"),
        ("Wants a trial order if the price holds.", "如果价格不变，愿意先试单。"),
    ),
    ("call", "follow_up"): (
        ("Call back next week after their budget meeting.", "预算会后下周再联系。"),
        ("Asked for a formal quote by email.", "要求邮件发正式报价。"),
        ("Purchasing manager travelling, try again Thursday.", "采购经理出差，周四再打。"),
    ),
    ("call", "no_answer"): (
        ("No answer, left a message.", "无人接听，已留言。"),
        ("Line busy.", "占线。"),
        ("Switchboard could not reach the buyer.", "总机转不到采购。"),
    ),
    ("call", "not_interested"): (
        ("Not for now: supplier contract runs until year end.", "暂不需要，现有供应商合同到年底。"),
        ("Happy with current supplier.", "对现有供应商满意。"),
    ),
    ("call", "order"): (
        ("Confirmed the order by phone, PO to follow by email.",
         "电话确认下单，采购单稍后邮件发送。"),
        ("Repeat order, same quantity as last month.", "返单，数量同上月。"),
    ),
    ("visit", "interested"): (
        ("Met purchasing, showed samples. Positive.", "拜访采购部，展示样品，反馈积极。"),
        ("Toured the plant; they could use our packaging line.",
         "参观工厂，对我们的包装线有需求。"),
    ),
    ("visit", "follow_up"): (
        ("Site visit done; they need a formal quote.", "现场拜访完成，需要正式报价。"),
        ("Met the engineer, needs drawings before deciding.", "见了工程师，需要图纸再定。"),
    ),
    ("visit", "order"): (
        ("Signed the order on site.", "现场签单。"),
        ("Contract signed, 30% deposit next week.", "合同已签，下周付30%定金。"),
    ),
    ("visit", "not_interested"): (
        ("GM says the price is too high.", "总经理认为价格太高。"),
        ("They moved production inland; no need now.", "生产已转移到内地，暂无需求。"),
    ),
    ("email", None): (
        ("Sent quotation v2 with volume discount.", "已发送报价单（含批量折扣）。"),
        ("Sent product catalogue and certificates.", "已发送产品目录和资质证书。"),
        ("Sent delivery schedule.", "已发送交货计划。"),
    ),
    ("email", "follow_up"): (
        ("Replied with questions about payment terms.", "客户回邮件询问付款条件。"),
        ("Asked for an updated quote in RMB incl. VAT.", "要求更新含税人民币报价。"),
    ),
    ("meeting", "interested"): (
        ("Quarterly review with purchasing and QA.", "与采购和质检开季度回顾会。"),
        ("Presented the new product line to the team.", "向客户团队介绍新产品线。"),
    ),
    ("meeting", "follow_up"): (
        ("Price negotiation, they want 5% more off.", "价格谈判，对方要求再降5%。"),
        ("Technical meeting, open points on tolerance.", "技术会议，公差问题待定。"),
    ),
    ("meeting", "order"): (
        ("Annual framework agreement agreed.", "年度框架协议谈妥。"),
    ),
    ("note", None): (
        ("Key contact on leave until the 15th.", "关键联系人休假到15号。"),
        ("Competitor offered 5% lower.", "竞争对手报价低5%。"),
        ("Pays on time, 30-day terms.", "付款及时，账期30天。"),
        ("Moving warehouse next month.", "下月搬仓库。"),
        ("Prefers WeChat over email.", "更喜欢用微信沟通。"),
    ),
}
OUTCOMES = {
    "call": (("interested", 20), ("follow_up", 25), ("no_answer", 30), ("not_interested", 10),
             ("order", 15)),
    "visit": (("interested", 35), ("follow_up", 35), ("order", 20), ("not_interested", 10)),
    "email": ((None, 70), ("follow_up", 30)),
    "meeting": (("interested", 40), ("follow_up", 40), ("order", 20)),
    "note": ((None, 100),),
}
KINDS = (("call", 40), ("visit", 20), ("email", 15), ("meeting", 8), ("note", 17))
FOLLOWUP_NOTES = {
    "call": (("Call back about the quote", "回电确认报价"), ("Check delivery date", "确认交货日期"),
             ("Confirm the quote", "确认报价")),
    "email": (("Send quote", "发送报价单"), ("Send contract draft", "发合同草稿"),
              ("send quote", "确认报价")),
    "visit": (("Bring samples", "带样品拜访"), ("Site survey", "现场勘察")),
    "meeting": (("Price negotiation with the GM", "与总经理谈价格"),
                ("Demo for the QA team", "给质检部门演示")),
    "task": (("Prepare proposal", "准备方案"), ("Check payment received", "确认回款"),
             ("Update price list", "更新价格表")),
}
FOLLOWUP_ACTIONS = (("call", 35), ("visit", 20), ("email", 20), ("meeting", 10), ("task", 15))


def _weighted(rng: random.Random, options):
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights)[0]


# Time ---------------------------------------------------------------------------------------

def _at(day: date, minutes: int) -> datetime:
    """A local time in Shanghai, as UTC."""
    return datetime.combine(day, time.min, TZ).astimezone(timezone.utc) + timedelta(
        minutes=minutes)


def _not_sunday(day: date) -> date:
    return day - timedelta(days=1) if day.weekday() == 6 else day


def _working_time(t: datetime, before: datetime) -> datetime:
    """Move ``t`` into office hours (08:00-19:00 local, not Sunday), keeping it < ``before``."""
    local = t.astimezone(TZ).replace(second=0, microsecond=0)
    if not 8 <= local.hour < 19:
        local = local.replace(hour=8 + local.hour % 11)
    if local.weekday() == 6:
        local -= timedelta(days=1)
    t = local.astimezone(timezone.utc)
    while t >= before:
        t -= timedelta(days=1)
    return t


def today_slot(now: datetime, u: float, before_now: bool) -> datetime:
    """A due time today, before or after ``now`` as asked (the other side when the clock
    leaves no room), at fraction ``u`` of the daytime hours still available."""
    start = _at(now.astimezone(TZ).date(), 0)
    end = start + timedelta(days=1)
    gap = timedelta(minutes=10)
    before = (max(start + timedelta(hours=8), now - timedelta(hours=10)), now - gap)
    if before[0] >= before[1]:
        before = (start, now - gap)
    after = (now + gap, min(start + timedelta(hours=20), now + timedelta(hours=10)))
    if after[0] >= after[1]:
        after = (now + gap, end - timedelta(minutes=5))
    ranges = [r for r in ((before, after) if before_now else (after, before)) if r[0] < r[1]]
    if not ranges:      # cannot happen with a 24-hour day; keep "today" anyway
        return now
    low, high = ranges[0]
    t = low + (high - low) * u
    rounded = t - timedelta(minutes=t.astimezone(TZ).minute % 5, seconds=t.second,
                            microseconds=t.microsecond)
    return rounded if rounded >= low else t


# The plan -----------------------------------------------------------------------------------

class _Phones:
    """Unique, valid numbers typed the many ways people type them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used = set()

    def _unique(self, make) -> str:
        while True:
            text = make()
            number = phonenumbers.parse(text, "CN")
            key = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_valid_number(number) and key not in self.used:
                self.used.add(key)
                return text

    def mobile(self) -> str:
        rng = self.rng

        def make():
            p = rng.choice(MOBILE_PREFIXES)
            a, b = f"{rng.randrange(10_000):04d}", f"{rng.randrange(10_000):04d}"
            return rng.choice((
                f"{p} {a} {b}", f"{p} {a} {b}", f"{p}-{a}-{b}", f"{p}{a}{b}",
                f"+86 {p} {a} {b}", f"+86-{p}-{a}-{b}", f"+86{p}{a}{b}", f"(+86) {p}-{a}-{b}",
            ))
        return self._unique(make)

    def landline(self, city: City) -> str:
        rng = self.rng

        def make():
            digits = str(rng.randint(2, 8)) + "".join(
                str(rng.randrange(10)) for _ in range(city.local_digits - 1))
            half = len(digits) - 4
            a, b = digits[:half], digits[half:]
            return rng.choice((
                f"0{city.area}-{a} {b}", f"0{city.area}-{a} {b}", f"0{city.area}-{digits}",
                f"(0{city.area}) {a}-{b}", f"+86 {city.area} {a} {b}", f"0{city.area} {digits}",
            ))
        return self._unique(make)


def _offset(lat: float, lng: float, metres: float, bearing: float) -> tuple[float, float]:
    dlat = metres * math.cos(bearing) / 111_320
    dlng = metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


class _Planner:
    def __init__(self, rng: random.Random, now: datetime):
        self.rng = rng
        self.now = now.astimezone(timezone.utc)
        self.today = now.astimezone(TZ).date()
        self.phones = _Phones(rng)
        self.company_keys = set()

    # -- customers and contacts --

    def company(self, index: int, city: City) -> dict:
        rng = self.rng
        if index < len(FIXED_COMPANIES):
            name, _, industry = FIXED_COMPANIES[index]
            chinese = not name.isascii()
            slug = {"上海华联贸易有限公司": "hualian-trade.com.cn",
                    "Acme Industrial Co., Ltd.": "acme-industrial.com",
                    "Golden Dragon Foods": "goldendragonfoods.com"}[name]
            self.company_keys.add(company_key(name))
            return {"name": name, "industry": industry, "chinese": chinese, "domain": slug}
        while True:
            zh, en, industry, biz_py = rng.choice(BUSINESSES)
            if rng.random() < 0.6:
                brand, brand_py = rng.choice(CN_BRANDS)
                prefix = city.zh if rng.random() < 0.7 else ""
                name = f"{prefix}{brand}{zh}{rng.choice(CN_SUFFIXES)}"
                domain = f"{brand_py}-{biz_py}.{rng.choice(('cn', 'com.cn', 'com'))}"
                chinese = True
            else:
                brand = rng.choice(EN_BRANDS)
                suffix = rng.choice(EN_SUFFIXES).format(city=city.name)
                name = f"{brand} {en} {suffix}".strip()
                domain = f"{brand.lower().replace(' ', '')}{en.split()[0].lower()}.com"
                chinese = False
            key = company_key(name)
            if key not in self.company_keys:
                self.company_keys.add(key)
                return {"name": name, "industry": industry, "chinese": chinese,
                        "domain": domain}

    def customer(self, index: int, city: City) -> tuple[dict, dict]:
        rng = self.rng
        company = self.company(index, city)
        district_zh, district_en = rng.choice(city.districts)
        road_zh, road_en = rng.choice(city.roads)
        number = rng.randint(1, 1999)
        if company["chinese"]:
            address = f"{city.zh}市{district_zh}{road_zh}{number}号"
            if rng.random() < 0.4:
                address += f"{rng.randint(1, 30)}楼{rng.randint(1, 30):02d}室"
        else:
            address = f"No. {number} {road_en}, {district_en}, {city.name}"
        lat, lng = _offset(city.lat, city.lng, rng.uniform(300, 9000), rng.uniform(0, 2 * math.pi))
        phone_kind = rng.random()
        phone = (self.phones.landline(city) if phone_kind < 0.6
                 else self.phones.mobile() if phone_kind < 0.95 else None)
        email = (f"{rng.choice(('info', 'sales', 'service', 'contact', 'purchase'))}"
                 f"@{company['domain']}") if rng.random() < 0.85 else None
        status = _weighted(rng, (("prospect", 40), ("active", 45), ("inactive", 15)))
        tags = rng.sample(TAGS, _weighted(rng, ((0, 45), (1, 40), (2, 15))))
        data = {
            "id": demo_id("customer", index), "name": company["name"], "phone": phone,
            "email": email, "address": address, "city": city.name, "lat": lat, "lng": lng,
            "industry": company["industry"], "source": rng.choice(SOURCES), "status": status,
            "tags": tags,
        }
        return data, company

    def contacts(self, index: int, company: dict, city: City) -> list[dict]:
        rng = self.rng
        count = _weighted(rng, ((1, 30), (2, 45), (3, 25)))
        result = []
        for n in range(count):
            if company["chinese"] and rng.random() < 0.85 or rng.random() < 0.3:
                (sur, sur_py), (given, given_py) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
                name, ascii_name = f"{sur}{given}", f"{given_py}.{sur_py}"
            else:
                first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
                name = f"{first} {last}"
                ascii_name = f"{first}.{last}".lower().replace("ü", "ue")
            if n == 0:
                title_zh, title_en = rng.choice(BOSS_TITLES)
                role = "decision_maker"
            else:
                title_zh, title_en, role = rng.choice(STAFF_TITLES)
            title = title_zh if company["chinese"] and rng.random() < 0.8 else title_en
            mailbox = rng.random()
            if mailbox < 0.7:
                email = f"{ascii_name}@{company['domain']}"
            elif mailbox < 0.85:
                email = f"{rng.randrange(10_000_000, 3_000_000_000)}@qq.com"
            elif mailbox < 0.95:
                email = f"{ascii_name.replace('.', '')}{rng.randint(1, 99)}@163.com"
            else:
                email = None
            mobile = self.phones.mobile() if rng.random() < 0.9 else None
            phone = self.phones.landline(city) if rng.random() < 0.35 else None
            reports = n > 0 and rng.random() < 0.6
            result.append({
                "id": demo_id("contact", index, n), "customer_id": demo_id("customer", index),
                "name": name, "title": title, "mobile": mobile, "phone": phone,
                "email": email, "role": role,
                "reports_to_id": demo_id("contact", index, 0) if reports else None,
            })
        return result

    # -- follow-ups and history --

    def open_followups(self, owner_key: str, customer_ids: list[int], lead: bool) -> dict:
        """{customer index: (due_at, source activity time)} for one owner's agenda."""
        rng = self.rng
        if lead:
            counts = {"overdue": rng.randint(1, 2), "today": 2, "upcoming": 2}
        else:
            counts = {"overdue": rng.randint(2, 6), "today": rng.randint(3, 6),
                      "upcoming": rng.randint(5, 10)}
        chosen = rng.sample(customer_ids, sum(counts.values()))
        plan, i = {}, 0
        for section, count in counts.items():
            for n in range(count):
                day_u, time_u, lag = rng.random(), rng.random(), rng.randint(1, 5)
                minutes = 9 * 60 + 15 * int(time_u * 36)          # 09:00-17:45
                if section == "overdue":
                    day = _not_sunday(self.today - timedelta(days=1 + int(day_u * 10)))
                    due = _at(day, minutes)
                    source_day = due.astimezone(TZ).date() - timedelta(days=lag)
                elif section == "today":
                    due = today_slot(self.now, time_u, before_now=n % 2 == 0)
                    source_day = self.today - timedelta(days=lag)
                else:
                    ahead = 1 + int(day_u * UPCOMING_DAYS)
                    day = self.today + timedelta(days=ahead)
                    if day.weekday() == 6:
                        day += timedelta(days=-1 if ahead > 1 else 1)
                    due = _at(day, minutes)
                    source_day = self.today - timedelta(days=lag)
                source = _at(_not_sunday(source_day), 9 * 60 + int(time_u * 8 * 60))
                plan[chosen[i]] = (due, source)
                i += 1
        return plan

    def history(self, index: int, customer: dict, company: dict, contacts: list[dict],
                followup) -> list[dict]:
        """The customer's last 60 days in time order, as ``log_activity`` data. A ``next``
        that carries ``done_at`` was completed by the activity after it; with ``followup``
        the last activity sets the still-open follow-up."""
        rng = self.rng
        status = customer["status"]
        low, high = {"active": (12, 22), "prospect": (5, 12), "inactive": (1, 4)}[status]
        count = rng.randint(low, high)
        window_end = followup[1] if followup else self.now
        window_start = self.now - timedelta(days=HISTORY_DAYS)
        span = (window_end - window_start).total_seconds()
        times = sorted(
            _working_time(window_start + timedelta(seconds=span * rng.random()), window_end)
            for _ in range(count))
        if followup:
            times.append(window_end)
        zh = 0.7 if company["chinese"] else 0.2
        activities = []
        for n, at in enumerate(times):
            last = followup is not None and n == len(times) - 1
            kind = (_weighted(rng, (("call", 50), ("visit", 25), ("email", 15), ("meeting", 10)))
                    if last else _weighted(rng, KINDS))
            outcome = _weighted(rng, OUTCOMES[kind])
            if last and kind != "email":
                outcome = rng.choice(("follow_up", "interested"))
            en, cn = rng.choice(NOTES[(kind, outcome)])
            data = {
                "id": demo_id("activity", index, n), "kind": kind,
                "customer_id": customer["id"], "occurred_at": at, "outcome": outcome,
                "notes": cn if rng.random() < zh else en,
            }
            if contacts and kind != "note" and rng.random() < 0.75:
                data["contact_id"] = rng.choice(contacts)["id"]
            if kind == "call":
                data["duration_seconds"] = (None if outcome == "no_answer"
                                            else rng.randint(45, 900))
            elif kind == "visit":
                data["duration_seconds"] = rng.randint(20, 90) * 60
                place = rng.random()
                if place < 0.85:    # on site
                    metres, accuracy = rng.uniform(5, 180), rng.uniform(5, 40)
                else:               # logged from the car or the next stop
                    metres, accuracy = rng.uniform(1200, 12000), rng.uniform(15, 80)
                bearing = rng.uniform(0, 2 * math.pi)
                if place < 0.97:    # otherwise: location was not allowed
                    lat, lng = _offset(customer["lat"], customer["lng"], metres, bearing)
                    data["location"] = {"lat": lat, "lng": lng, "accuracy": round(accuracy)}
            elif kind == "meeting":
                data["duration_seconds"] = rng.randint(2, 8) * 15 * 60
            activities.append(data)

        # Some contacts set a follow-up that the next contact then completed.
        for n in range(len(activities) - 1):
            nxt = activities[n + 1]
            chained = rng.random() < 0.35
            en, cn = rng.choice(FOLLOWUP_NOTES.get(nxt["kind"], FOLLOWUP_NOTES["task"]))
            if not chained or nxt["kind"] == "note":
                continue
            at, due = activities[n]["occurred_at"], nxt["occurred_at"]
            on_the_hour = due.replace(minute=0, second=0, microsecond=0)
            fid = demo_id("followup", index, n)
            activities[n]["next"] = {"id": fid, "kind": nxt["kind"],
                                     "due_at": on_the_hour if on_the_hour > at else due,
                                     "note": cn if rng.random() < zh else en}
            activities[n]["next"]["done_at"] = due

        if followup:
            action = _weighted(rng, FOLLOWUP_ACTIONS)
            en, cn = rng.choice(FOLLOWUP_NOTES[action])
            activities[-1]["next"] = {"id": demo_id("followup", index, "open"), "kind": action,
                                      "due_at": followup[0],
                                      "note": cn if rng.random() < zh else en}
        return activities


def _closed_activities(owner: User, customer, data: dict) -> list[Activity]:
    """What ``log_activity`` stores for a past activity, and its follow-up already done.

    The history is thousands of rows with no side effects to run (nothing of it is still
    open), so it is built here in one batch instead of one service call and flush each;
    every derived column is filled the way the services fill it. ``created_at`` is when it
    happened, so lists ordered by creation read like the story.
    """
    at = data["occurred_at"]
    activity = Activity(
        id=data["id"], kind=data["kind"], owner_id=owner.id, customer_id=customer.id,
        contact_id=data.get("contact_id"), occurred_at=at, outcome=data.get("outcome"),
        notes=data.get("notes"), duration_seconds=data.get("duration_seconds"), version=1,
        created_at=at, updated_at=at,
    )
    location = data.get("location")
    if location:
        activity.lat, activity.lng = location["lat"], location["lng"]
        activity.accuracy = location.get("accuracy")
        if activity.kind == "visit" and customer.lat is not None and customer.lng is not None:
            activity.distance_m = activity_service.distance_m(
                activity.lat, activity.lng, customer.lat, customer.lng)
    rows = [activity]
    nxt = data.get("next")
    if nxt:
        # Completed with PATCH done_at, which also sets occurred_at (update_activity).
        rows.append(Activity(
            id=nxt["id"], kind="task", action=nxt["kind"], owner_id=owner.id,
            customer_id=customer.id, contact_id=activity.contact_id, due_at=nxt["due_at"],
            notes=nxt.get("note"), followup_of=activity.id, done_at=nxt["done_at"],
            occurred_at=nxt["done_at"], version=1, created_at=at, updated_at=nxt["done_at"],
        ))
    return rows


# Running it ---------------------------------------------------------------------------------

def _sign_in_list(users: list[User], teams: dict) -> str:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    width = max(len(u.email) for u in users)
    lines = [f'Sign in at {url} with password "{PASSWORD}":']
    for user in users:
        where = f", {teams[user.team_id]}" if user.team_id in teams else ""
        lines.append(f"  {user.email:<{width}}  ({user.role}{where}, {user.name}"
                     f"{', ' + user.locale if user.locale != 'en' else ''})")
    return "\n".join(lines)


def _demo_users() -> tuple[list[User], dict]:
    ids = [demo_id("user", local) for local, *_ in USERS]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    teams = {t.id: t.name for t in db.session.scalars(select(Team))}
    return [users[i] for i in ids if i in users], teams


def seed_demo(now: datetime | None = None) -> str:
    """Load the demo company; ``now`` (aware) pins "today" for tests."""
    admin_email = _email("admin")
    existing = db.session.scalar(select(User).where(User.email == admin_email))
    if existing is not None:
        if existing.id != demo_id("user", "admin"):
            raise click.ClickException(
                f"{admin_email} exists but was not made by seed-demo; nothing loaded.")
        users, teams = _demo_users()
        if not seed_sales.sales_loaded(demo_id):  # a demo loaded before lead-to-cash
            people = {u.email.split("@")[0]: u for u in users}
            seed_sales.load_sales(people, demo_id, now or datetime.now(timezone.utc))
            db.session.commit()
        return "Demo company already loaded.\n" + _sign_in_list(users, teams)
    try:
        counts = _load(now or datetime.now(timezone.utc))
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        details = f" {exc.errors}" if exc.errors else ""
        raise click.ClickException(f"Demo company not loaded: {exc.message}{details}") from None
    users, teams = _demo_users()
    return ("Demo company ready: {users} users, {teams} teams, {customers:,} customers, "
            "{contacts:,} contacts, {activities:,} activities ({open:,} open follow-ups).\n"
            .format(**counts) + _sign_in_list(users, teams))


def _load(now: datetime) -> dict:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rng = random.Random(42)
    planner = _Planner(rng, now)

    # People: admin first (the actor for the rest), then teams, leads, everyone else.
    people: dict[str, User] = {}
    teams: dict[str, Team] = {}

    def add_user(local, name, role, team_key, locale, actor):
        user, _ = user_service.create_user(actor, {
            "id": demo_id("user", local), "email": _email(local), "password": PASSWORD,
            "name": name, "role": role, "timezone": TZ_NAME, "locale": locale,
            "team_id": teams[team_key].id if team_key else None,
        })
        people[local] = user

    add_user(*USERS[0], actor=None)
    admin = people["admin"]
    for key, name, _ in TEAMS:
        teams[key], _ = user_service.create_team(admin, {"id": demo_id("team", key),
                                                         "name": name})
    for spec in USERS[1:]:
        add_user(*spec, actor=admin)
    for key, _, _ in TEAMS:
        user_service.update_team(admin, teams[key], {"lead_id": people[f"lead.{key}"].id})

    # Who owns which customers: a few for each lead, the rest dealt round the reps.
    owners = []
    for key, _, _ in TEAMS:
        owners += [f"lead.{key}"] * CUSTOMERS_PER_LEAD
    reps = [local for local, _, role, _, _ in USERS if role == "rep"]
    owners += [reps[i % len(reps)] for i in range(CUSTOMER_COUNT - len(owners))]
    rng.shuffle(owners)
    team_of = {local: team for local, _, _, team, _ in USERS}
    cities = {key: names for key, _, names in TEAMS}
    fixed_city = {i: CITIES[c] for i, (_, c, _) in enumerate(FIXED_COMPANIES)}
    for i, (_, city_name, _) in enumerate(FIXED_COMPANIES):   # put them in the right team
        want = next(k for k, _, names in TEAMS if city_name in names)
        if team_of[owners[i]] != want:
            j = next(j for j in range(len(FIXED_COMPANIES), len(owners))
                     if team_of[owners[j]] == want)
            owners[i], owners[j] = owners[j], owners[i]

    plans = []
    for index, owner_key in enumerate(owners):
        city = fixed_city.get(index) or CITIES[rng.choice(cities[team_of[owner_key]])]
        customer, company = planner.customer(index, city)
        contacts = planner.contacts(index, company, city)
        plans.append((owner_key, customer, company, contacts))

    for owner_key, customer, _, contacts in plans:
        owner = people[owner_key]
        customer_service.create_customer(owner, customer)
        for contact in contacts:
            customer_service.create_contact(owner, contact)

    followups = {}
    for local in sorted(set(owners)):
        mine = [i for i, o in enumerate(owners) if o == local]
        followups.update(planner.open_followups(local, mine, local.startswith("lead.")))

    rows, still_open = [], []
    for index, (owner_key, customer, company, contacts) in enumerate(plans):
        history = planner.history(index, customer, company, contacts, followups.get(index))
        owner, record = people[owner_key], db.session.get(Customer, customer["id"])
        if index in followups:
            still_open.append((owner, history.pop()))
        for data in history:
            rows += _closed_activities(owner, record, data)
        if history:
            record.last_activity_at = history[-1]["occurred_at"]
    db.session.add_all(rows)

    # The open follow-ups go through the service: whatever it schedules for an open
    # follow-up (reminders) is scheduled for these too.
    for owner, data in sorted(still_open, key=lambda item: item[1]["occurred_at"]):
        activity_service.log_activity(owner, data)
    db.session.flush()
    # The history went in as one batch: count the rollup from the table once (the same as
    # the flush counted, and still right should that batch become a Core insert).
    rebuild_activity_rollups()
    seed_expenses(people, now.astimezone(TZ).date(), demo_id)
    seed_sales.load_sales(people, demo_id, now)
    return {
        "users": len(people), "teams": len(teams), "customers": len(plans),
        "contacts": sum(len(contacts) for _, _, _, contacts in plans),
        "activities": len(rows) + 2 * len(still_open), "open": len(still_open),
    }
