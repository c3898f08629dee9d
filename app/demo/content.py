"""What the demo company is made of: its people, cities, companies, names, titles and what
was said on calls and visits."""
from dataclasses import dataclass



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
