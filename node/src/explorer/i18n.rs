//! Every label of the explorer in English and Chinese, in one table: [`labels!`] declares
//! each label once with both texts, so a label cannot exist in one language only. Chain
//! words (statuses, rights, grades, roles) translate through [`word`]; a word the table
//! lacks shows as it is.

/// The language of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// `en` or `zh`.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The value of `lang=` (`zh`, `zh-CN`, `en`, ...), if it names one we have.
    pub(crate) fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language an `Accept-Language` header prefers among ours (highest `q` first;
    /// English when it names neither).
    pub(crate) fn negotiate(header: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',').take(32) {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or_default();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag) {
                if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                    best = Some((q, lang));
                }
            }
        }
        best.map_or(Lang::En, |(_, l)| l)
    }

    /// The labels in this language.
    pub(crate) fn labels(self) -> &'static Labels {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// The other language (the switch in the page header).
    pub(crate) fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }
}

macro_rules! labels {
    ($($key:ident: $en:literal, $zh:literal;)*) => {
        /// The explorer's labels in one language.
        #[derive(Debug)]
        pub(crate) struct Labels {
            $(pub(crate) $key: &'static str,)*
        }
        /// English.
        static EN: Labels = Labels { $($key: $en,)* };
        /// Chinese.
        static ZH: Labels = Labels { $($key: $zh,)* };
    };
}

labels! {
    // The frame of every page.
    explorer: "Shuquan explorer", "数权浏览器";
    home: "Home", "首页";
    catalogue: "Catalogue", "数据目录";
    search: "Search", "搜索";
    search_hint: "Asset id or name, transaction id, block height, member, registration number",
        "资产编号或名称、交易编号、区块高度、成员、登记编号";
    lang_name: "English", "中文";
    times_in: "Times in the chain's time zone", "时间均为链的时区";
    json: "JSON", "JSON";
    yes: "yes", "是";
    no: "no", "否";
    none: "none", "无";
    more: "more", "更多";
    // Home.
    status: "Status", "状态";
    chain: "Chain", "链";
    height: "Height", "高度";
    certified_height: "Certified height", "已认证高度";
    last_block_time: "Last block time", "最新区块时间";
    node_role: "This node", "本节点";
    term: "Term", "任期";
    peers: "Peers", "连接节点";
    mempool: "Mempool", "交易池";
    members: "Members", "成员";
    latest_blocks: "Latest blocks", "最新区块";
    live: "live", "实时";
    time: "Time", "时间";
    txs: "Transactions", "交易";
    failed: "Failed", "失败";
    proposer: "Proposer", "出块节点";
    // Catalogue and search.
    matching: "matching", "条匹配";
    next_page: "Next page", "下一页";
    filter: "Filter", "筛选";
    any: "any", "全部";
    sort: "Sort", "排序";
    newest: "newest", "最新";
    oldest: "oldest", "最早";
    by_name: "name", "名称";
    text: "Text", "文本";
    nothing_found: "Nothing found", "未找到";
    indexed_at: "Indexed at height", "索引高度";
    // Assets.
    asset: "Data asset", "数据资产";
    name: "Name", "名称";
    asset_id: "Asset id", "资产编号";
    description: "Description", "描述";
    sector: "Sector", "行业";
    grade: "Grade", "分级";
    origin: "Origin", "来源";
    personal_info: "Personal information", "个人信息";
    sensitive: "sensitive", "敏感";
    jurisdiction: "Jurisdiction", "管辖地";
    sharing: "Sharing", "共享类型";
    delivery: "Delivery", "交付方式";
    fingerprint: "Fingerprint", "指纹";
    size: "Size", "大小";
    bytes: "bytes", "字节";
    registrant: "Registrant", "申请人";
    applied: "Applied", "申请时间";
    valid_until: "Valid until", "有效期至";
    frozen: "Frozen", "已冻结";
    refusal: "Refused because", "驳回原因";
    holders: "Rights holders", "权利持有人";
    right: "Right", "权利";
    holder: "Holder", "持有人";
    right_hold: "Holding (hold)", "数据资源持有权";
    right_use: "Processing and use (use)", "数据加工使用权";
    right_operate: "Product operation (operate)", "数据产品经营权";
    certificate: "Registration certificate", "登记证书";
    number: "Registration number", "登记编号";
    kind: "Kind", "类型";
    sequence: "Sequence", "序号";
    effective: "Effective", "生效时间";
    first_effective: "First issued", "首次发证";
    registrar: "Registrar", "登记机构";
    not_certified_yet: "No certificate yet", "尚未发证";
    attestations: "Attestations", "鉴证意见";
    issuer: "Issuer", "出具方";
    result: "Result", "结果";
    application: "Application under way", "办理中的申请";
    notice_ends: "Public notice ends", "公示截止";
    history: "History", "历史记录";
    signer: "Signer", "签名人";
    grants: "Access grants", "访问授权";
    grantee: "Grantee", "被授权方";
    grantor: "Grantor", "授权方";
    actions: "Actions", "行为";
    purposes: "Purposes", "用途";
    places: "Places of use", "使用地";
    expires: "Expires", "到期";
    uses: "Uses", "使用次数";
    lineage: "Lineage", "数据血缘";
    no_lineage: "Derived from no asset; no asset derived from it", "无来源资产，也无衍生资产";
    via_use: "via the Use right", "依据加工使用权";
    via_grant: "via grant", "依据授权";
    filings: "Cross-border filings", "数据出境申报";
    destination: "Destination", "目的地";
    path: "Path", "路径";
    exporter: "Exporter", "出境方";
    decided_by: "Decided by", "审批机构";
    listings: "Market listings", "挂牌";
    offer: "Offer", "标的";
    price: "Price", "价格";
    seller: "Seller", "卖方";
    requests: "Access requests", "访问申请";
    requester: "Requester", "申请方";
    addressee: "Addressee", "受理方";
    vouchers: "Vouchers", "交易凭证";
    buyer: "Buyer", "买方";
    total: "Total", "总额";
    audit: "Audit", "审计";
    download_bundle: "Download audit bundle", "下载审计包";
    audit_hint: "Or fetch it with the CLI and verify it offline against the chain's genesis file (from the consortium, not from this node):",
        "或用命令行获取，并以联盟发布的创世文件（而非本节点提供的）离线验证：";
    // Blocks and transactions.
    block: "Block", "区块";
    hash: "Hash", "哈希";
    prev_block: "Previous block", "上一区块";
    next_block: "Next block", "下一区块";
    tx_root: "Transaction root", "交易根";
    results_root: "Results root", "结果根";
    cert_signers: "Certificate signers", "证书签名节点";
    certified: "Certified", "已认证";
    not_certified: "Not certified", "未认证";
    nodes_signed: "nodes signed", "个节点已签名";
    needed: "needed", "所需";
    index: "Index", "序号";
    transaction: "Transaction", "交易";
    tx_id: "Transaction id", "交易编号";
    cosigners: "Cosigners", "联署人";
    signed_at: "Signed at", "签名时间";
    created: "Created", "创建";
    payload: "Payload", "交易内容";
    proof: "Inclusion proof", "包含证明";
    earlier_txs: "Earlier transactions", "上一页交易";
    later_txs: "Later transactions", "下一页交易";
    // Members.
    institution: "Institution", "机构";
    org_code: "Organisation code", "机构代码";
    roles: "Roles", "角色";
    member_id: "Member id", "成员编号";
    account_keys: "Account keys", "账户密钥";
    former_keys: "Former keys", "历史密钥";
    ciio: "Critical information infrastructure operator", "关键信息基础设施运营者";
    nodes: "Nodes", "节点";
    node_key: "Node key", "节点密钥";
    address: "Address", "地址";
    assets_held: "Assets it holds (Hold right)", "持有的数据资产（持有权）";
    grants_received: "Grants it received", "获得的授权";
    grants_issued: "Grants it issued", "授出的授权";
    recent_txs: "Its transactions (latest first)", "其交易（最新在前）";
    // Signing in (on a node that lets only members read).
    sign_in: "Sign in", "登录";
    sign_out: "Sign out", "退出登录";
    signed_in_as: "Signed in as", "当前登录";
    sign_in_intro: "This node lets only members read. Make a read token with your member account key and paste it here: a token signs in once, within the minutes it lives, and the session then lasts 30 minutes.",
        "本节点仅允许成员查阅。请用本成员的账户密钥生成读取令牌并粘贴于此：令牌在有效期内只能登录一次，登录后会话持续 30 分钟。";
    make_token: "Make a token", "生成令牌";
    token: "Read token", "读取令牌";
    sign_in_failed: "Sign-in refused", "登录被拒绝";
    not_members_only: "This node lets anyone read: no sign-in is needed.", "本节点对所有人开放查阅，无需登录。";
    // Errors.
    not_found: "Not found", "未找到";
    bad_request: "Bad request", "请求有误";
    unavailable: "Not available on this node", "本节点暂不可提供";
    internal: "Internal error", "内部错误";
    back_home: "Back to the explorer", "返回浏览器首页";
}

/// Chain words in Chinese (English shows the word itself, as the CLI and the API do).
static ZH_WORDS: &[(&str, &str)] = &[
    ("committed", "已执行"),
    ("failed", "失败"),
    ("applied", "已申请"),
    ("in-review", "审核中"),
    ("in-notice", "公示中"),
    ("registered", "已登记"),
    ("rejected", "已驳回"),
    ("withdrawn", "已撤回"),
    ("changed", "已变更"),
    ("renewed", "已续展"),
    ("cancelled", "已取消"),
    ("expired", "已过期"),
    ("active", "有效"),
    ("pending-export", "待出境审批"),
    ("revoked", "已撤销"),
    ("exhausted", "已用尽"),
    ("filed", "已申报"),
    ("approved", "已批准"),
    ("acknowledged", "已备案"),
    ("used", "已使用"),
    ("open", "开放"),
    ("sold", "已售出"),
    ("granted", "已授权"),
    ("declined", "已拒绝"),
    ("placed", "已下单"),
    ("accepted", "已接受"),
    ("settled", "已结算"),
    ("disputed", "争议中"),
    ("suspended", "已暂停"),
    ("removed", "已移除"),
    ("hold", "持有权"),
    ("use", "加工使用权"),
    ("operate", "产品经营权"),
    ("licence", "许可"),
    ("general", "一般数据"),
    ("important", "重要数据"),
    ("core", "核心数据"),
    ("public", "公共数据"),
    ("enterprise", "企业数据"),
    ("personal", "个人数据"),
    ("unconditional", "无条件共享"),
    ("conditional", "有条件共享"),
    ("not-shared", "不予共享"),
    ("download", "下载"),
    ("query", "查询"),
    ("compute", "计算"),
    ("verify", "核验"),
    ("read", "读取"),
    ("derive", "衍生"),
    ("member", "成员"),
    ("registrar", "登记机构"),
    ("regulator", "监管机构"),
    ("auditor", "审计机构"),
    ("evaluator", "评估机构"),
    ("voter", "投票节点"),
    ("learner", "学习节点"),
    ("leader", "领导者"),
    ("follower", "跟随者"),
    ("candidate", "候选者"),
    ("initial", "首次登记"),
    ("change", "变更登记"),
    ("renewal", "续展登记"),
    ("cancellation", "注销登记"),
    ("compliance", "合规"),
    ("quality", "质量"),
    ("valuation", "估值"),
    ("anonymisation", "匿名化"),
    ("security", "安全"),
    ("deletion", "删除"),
    ("pass", "通过"),
    ("fail", "不通过"),
    ("info", "说明"),
    ("use-right", "使用权"),
];

/// A chain word (`pending-export`, `hold`, ...) in `lang`.
pub(crate) fn word(lang: Lang, w: &str) -> String {
    match lang {
        Lang::En => w.to_string(),
        Lang::Zh => ZH_WORDS
            .iter()
            .find(|(k, _)| *k == w)
            .map_or_else(|| w.to_string(), |(_, z)| (*z).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_of_ours() {
        assert_eq!(Lang::negotiate("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(Lang::negotiate("en-US,en;q=0.9,zh;q=0.5"), Lang::En);
        assert_eq!(Lang::negotiate("fr, zh;q=0.3"), Lang::Zh);
        assert_eq!(Lang::negotiate("fr, de"), Lang::En);
        assert_eq!(Lang::negotiate(""), Lang::En);
        assert_eq!(Lang::negotiate("zh;q=0, en;q=0.1"), Lang::En);
    }

    #[test]
    fn words_translate_and_unknown_ones_show_as_they_are() {
        assert_eq!(word(Lang::Zh, "pending-export"), "待出境审批");
        assert_eq!(word(Lang::En, "pending-export"), "pending-export");
        assert_eq!(word(Lang::Zh, "register_asset"), "register_asset");
    }
}
