//! The English of the sentences the domain, the application and access control write when they
//! refuse or explain something (validation, rules, schemes, imports, accounts), keyed by the Chinese
//! they are written in. A key's holes (`{n}`, `{m}`, `{k}`, …) are filled at run time by whatever the
//! code put there (a number, a name, a nested reason); the English uses the same holes, in any order.

/// (Chinese, English).
pub(super) const MESSAGES: &[(&str, &str)] = &[
    // access/src/password.rs
    (
        "密码至少需要 {n} 个字符",
        "The password needs at least {n} characters",
    ),
    (
        "密码不能超过 {n} 个字符",
        "The password must not be longer than {n} characters",
    ),
    (
        "密码需要包含小写字母、大写字母、数字、其他符号中的至少 {n} 类（现在只有 {m} 类）",
        "The password needs at least {n} of these kinds: lower-case letters, upper-case letters, digits, other symbols (it has only {m})",
    ),
    (
        "密码不能包含用户名",
        "The password must not contain the user name",
    ),
    (
        "密码过于常见或容易猜到（如 Password1234、Admin@123456），请换一个",
        "The password is too common or too easy to guess (such as Password1234 or Admin@123456); please choose another",
    ),
    (
        "不支持的密码哈希算法：{n}",
        "Unsupported password hash algorithm: {n}",
    ),
    ("密码哈希格式错误：{n}", "Malformed password hash: {n}"),
    ("密码哈希计算失败：{n}", "Password hashing failed: {n}"),
    ("缺少算法标识", "the algorithm identifier is missing"),
    // access/src/policy.rs
    ("统计总览", "Statistics overview"),
    ("月度考评", "Monthly assessment"),
    ("考评申诉", "Assessment objections"),
    ("业务配置", "Campaign settings"),
    ("用户账户", "User accounts"),
    ("安全策略", "Security policy"),
    ("备份", "Backups"),
    ("导出", "Export"),
    ("校验", "Verify"),
    // access/src/roles.rs
    (
        "同一账户不能同时担任{n}和{m}（三员分立）",
        "One account cannot be both {n} and {m} (the three administrator roles are kept apart)",
    ),
    (
        "管理员账户不能兼任业务角色：{n}不能同时担任{m}",
        "An administrator account cannot also hold a campaign role: {n} cannot also be {m}",
    ),
    (
        "{n}角色只能授予{m}的账户，该账户属于{k}",
        "The role {n} can only be granted to accounts of a unit of type {m}; this account's unit is of type {k}",
    ),
    ("无权{n}{m}", "No permission: {n} ({m})"),
    // access/src/session.rs
    (
        "长时间未操作，登录已失效，请重新登录",
        "You were inactive for too long and have been signed out; please sign in again",
    ),
    (
        "登录时间已达上限，请重新登录",
        "The session has reached its time limit; please sign in again",
    ),
    (
        "账户已超过 {n} 天未使用，已停用，请联系系统管理员",
        "The account has not been used for more than {n} days and has been disabled; please contact the system administrator",
    ),
    (
        "账户已过有效期，请联系系统管理员",
        "The account has expired; please contact the system administrator",
    ),
    (
        "登录失败次数过多，账户已锁定，请 {n} 分钟后再试",
        "Too many failed sign-ins: the account is locked; please try again in {n} minutes",
    ),
    // access/src/totp.rs
    (
        "动态口令密钥不是有效的 base32 编码",
        "The one-time code key is not valid base32",
    ),
    (
        "动态口令密钥太短：至少需要 {n} 字节",
        "The one-time code key is too short: it needs at least {n} bytes",
    ),
    (
        "无法生成动态口令密钥：{n}",
        "Could not make a one-time code key: {n}",
    ),
    // access/src/username.rs
    (
        "用户名至少需要 {n} 个字符",
        "The user name needs at least {n} characters",
    ),
    (
        "用户名不能超过 {n} 个字符",
        "The user name must not be longer than {n} characters",
    ),
    (
        "用户名不能包含{n}：只能使用字母、数字、汉字和 . _ - @",
        "The user name must not contain {n}: use only letters, digits, Chinese characters and . _ - @",
    ),
    ("空格", "a space"),
    ("不可见字符 U+{n}", "the invisible character U+{n}"),
    ("字符“{n}”", "the character \"{n}\""),
    // app/src/accounts.rs
    ("用户名：{n}", "User name: {n}"),
    (
        "用户名：{n} 是系统保留的名称，请换一个",
        "User name: {n} is reserved by the system; please choose another",
    ),
    ("密码：{n}", "Password: {n}"),
    ("密码散列失败：{n}", "Hashing the password failed: {n}"),
    (
        "单位：所选单位不存在，请从列表中选择",
        "Unit: the chosen unit does not exist; please choose one from the list",
    ),
    (
        "同时在线会话数须在 1 到 100 之间",
        "Concurrent sessions must be between 1 and 100",
    ),
    (
        "口令最长使用期限不能超过 3650 天（0 表示不限）",
        "The maximum password age cannot exceed 3650 days (0 means no limit)",
    ),
    ("原密码不正确", "The current password is wrong"),
    ("新密码：{n}", "New password: {n}"),
    (
        "新密码不能与原密码相同",
        "The new password must differ from the current one",
    ),
    ("账号（id {n}）", "Account (id {n})"),
    (
        "无法生成临时密码：{n}",
        "Could not make a temporary password: {n}",
    ),
    // app/src/assessment.rs
    (
        "已保存的 {n} 年考评办法第 {m} 版无效：{k}",
        "The saved assessment scheme of {n}, version {m}, is invalid: {k}",
    ),
    (
        "{n} 年没有{m}考评办法；请先保存（设置 › 考评办法，或 jianguan scheme set --year {k} FILE）",
        "No assessment scheme {m} for {n}; save one first (Settings › Assessment scheme, or jianguan scheme set --year {k} FILE)",
    ),
    (
        "{n}办法的 year = {m}，与所选 {k} 年不符",
        "{n}The scheme's year = {m} does not match the chosen year {k}",
    ),
    ("第{n}行：", "Line {n}: "),
    // app/src/audit.rs
    (
        "审计表的只增保护（触发器）缺失：{n}。记录可被改写而不留痕迹，请查明原因并用 jianguan migrate 之前的备份核对 (append-only triggers missing)",
        "The audit table's append-only protection (triggers) is missing: {n}. Records could be rewritten without a trace; find out why and check against a backup from before jianguan migrate (append-only triggers missing)",
    ),
    (
        "审计链校验失败：{n}",
        "Audit chain verification failed: {n}",
    ),
    (
        "审计链完整，但已发布考评结果的完整性校验码不符：{n}。发布后的结果被改动过，请用备份核对 (published scores changed since publication)",
        "The audit chain is intact, but the integrity codes of published assessment results do not match: {n}. Results were changed after publication; check against a backup (published scores changed since publication)",
    ),
    (
        "审计链完整：共 {n} 条记录，核对锚点 {m} 个（{k}）；{j}",
        "The audit chain is intact: {n} records, {m} anchors checked ({k}); {j}",
    ),
    (
        "已发布考评结果 {n} 份校验码相符",
        "the integrity codes of {n} published assessment results match",
    ),
    (
        "其中 {n} 份发布时未配置密钥，仅能发现误改，不能发现伪造",
        "{n} of them were published with no key configured, so only accidental changes can be detected, not forgery",
    ),
    (
        "{n} 份需要原密钥才能核对（{m}）",
        "{n} need the original key to be checked ({m})",
    ),
    (
        "当前密钥文件不是生成校验码时所用的密钥",
        "the current key file is not the key the codes were made with",
    ),
    ("未找到密钥文件", "no key file was found"),
    (
        "{n} 份发布于校验码启用之前，无校验码",
        "{n} were published before integrity codes were introduced and have none",
    ),
    // app/src/backup.rs
    (
        "{n}：路径不在备份目录内",
        "{n}: the path is outside the backup directory",
    ),
    (
        "{n}：文件缺失或不可读",
        "{n}: the file is missing or unreadable",
    ),
    (
        "{n}：大小 {m} 字节，清单记为 {k}",
        "{n}: {m} bytes, but the manifest records {k}",
    ),
    (
        "{n}：SHA-256 与清单不符",
        "{n}: the SHA-256 does not match the manifest",
    ),
    ("清单与文件", "Manifest and files"),
    (
        "{n} 个文件的大小和 SHA-256 一致",
        "the sizes and SHA-256 of {n} files match",
    ),
    ("恢复到临时库", "Restore into a scratch database"),
    ("通过", "passed"),
    ("未通过", "failed"),
    ("{n} 恢复演练{m}：{k}\n", "{n} restore drill {m}: {k}\n"),
    (
        "数据库已恢复并可打开",
        "the database was restored and opens",
    ),
    ("审计链", "Audit chain"),
    (
        "{n}；链头与清单不符",
        "{n}; the chain head does not match the manifest",
    ),
    ("数据版本", "Data version"),
    ("{n}（清单 {m}）", "{n} (manifest {m})"),
    (
        "备份未记录指标（迁移前的旧结构备份），未比对",
        "the backup records no figures (an old-schema backup from before a migration); not compared",
    ),
    ("{n} 年，截至 {m}", "{n}, as of {m}"),
    // app/src/cadence.rs
    (
        "已保存的警示规则无法使用：{n}",
        "The saved warning rules cannot be used: {n}",
    ),
    (
        "已保存的填报日历无法使用：{n}",
        "The saved reporting calendar cannot be used: {n}",
    ),
    (
        "{n} 年已开设期次，不能重复开设",
        "Reporting periods for {n} are already open; they cannot be opened again",
    ),
    // app/src/catalogue.rs
    ("类别 {n}", "Category {n}"),
    // app/src/coverage.rs
    ("座", ""),
    ("{n}分钟", "{n} min"),
    // app/src/districts.rs
    (
        "边界文件有 {n} 处错误，未导入任何边界：{m}",
        "The boundary file has {n} errors; no boundary was imported: {m}",
    ),
    ("不是 JSON 文件：{n}", "Not a JSON file: {n}"),
    (
        "不是 GeoJSON 要素集合：顶层的 type 须为 FeatureCollection",
        "Not a GeoJSON feature collection: the top-level type must be FeatureCollection",
    ),
    (
        "坐标参考系为「{n}」：边界须为 WGS-84 经纬度（EPSG:4326 / CRS84），请先转换（高德、腾讯的 GCJ-02 和百度的 BD-09 也须先转换）",
        "The coordinate reference system is \"{n}\": boundaries must be WGS-84 longitude and latitude (EPSG:4326 / CRS84); convert them first (GCJ-02 of Amap and Tencent and BD-09 of Baidu too)",
    ),
    ("文件中没有要素", "The file has no features"),
    (
        "要素集合缺少 features 数组",
        "The feature collection has no features array",
    ),
    ("没有 geometry", "no geometry"),
    (
        "geometry 的 coordinates 不是合法的 {n} 坐标数组",
        "the geometry's coordinates are not a valid {n} coordinate array",
    ),
    (
        "geometry 须为 Polygon 或 MultiPolygon，实为 {n}",
        "the geometry must be a Polygon or MultiPolygon, but is {n}",
    ),
    ("（无类型）", "(no type)"),
    (
        "属性 unit_id 须为单位编号（整数），实为 {n}",
        "the unit_id property must be a unit id (a whole number), but is {n}",
    ),
    ("第 {n} 个要素「{m}」", "Feature {n} \"{m}\""),
    ("第 {n} 个要素", "Feature {n}"),
    (
        "{n}：属性 unit_id 为 {m}，不是在用县区的编号；已有县区：{k}",
        "{n}: the unit_id property is {m}, which is not the id of an active district; the districts are: {k}",
    ),
    (
        "{n}：没有属性「{m}」（区名所在的属性，可另行指定），也没有 unit_id",
        "{n}: there is no property \"{m}\" (the property holding the district's name, which can be chosen) and no unit_id",
    ),
    (
        "{n}：属性「{m}」为「{k}」，不是已有的县区；已有县区：{j}",
        "{n}: the property \"{m}\" is \"{k}\", which is not an existing district; the districts are: {j}",
    ),
    (
        "{n}：与第 {m} 个要素是同一县区「{k}」，每个县区只能有一个要素",
        "{n}: the same district \"{k}\" as feature {m}; each district may have one feature only",
    ),
    ("「{n}」：{m}", "\"{n}\": {m}"),
    // app/src/ledger.rs
    ("{n}（{m} 字节）", "{n} ({m} bytes)"),
    // app/src/org.rs
    (
        "组织文件有 {n} 处错误，未导入任何单位：{m}",
        "The organisation file has {n} errors; no unit was imported: {m}",
    ),
    ("{n}（编号 {m}）", "{n} (id {m})"),
    (
        "单位：没有编号为 {n} 的单位",
        "Unit: there is no unit with id {n}",
    ),
    ("第 {n} 行「{m}」：{k}", "Row {n}, \"{m}\": {k}"),
    ("单位名称：", "Unit name: "),
    (
        "第 {n} 行「{m}」：应为 {k} 之一，实为「{j}」",
        "Row {n}, \"{m}\": should be one of {k}, but is \"{j}\"",
    ),
    (
        "第 {n} 行「{m}」：「{k}」与第 {j} 行重复，每个单位在文件中只写一行",
        "Row {n}, \"{m}\": \"{k}\" repeats row {j}; write each unit on one row only",
    ),
    (
        "第 {n} 行「{m}」：已有 {k} 个名为「{j}」的{p}（编号 {q}），无法确定是哪一个",
        "Row {n}, \"{m}\": there are already {k} units of type {p} named \"{j}\" (ids {q}); cannot tell which one is meant",
    ),
    (
        "第 {n} 行「{m}」：不能是本单位",
        "Row {n}, \"{m}\": cannot be the unit itself",
    ),
    (
        "第 {n} 行「{m}」：「{k}」既不在本文件中，也不是已有的在用单位",
        "Row {n}, \"{m}\": \"{k}\" is neither in this file nor an existing active unit",
    ),
    (
        "第 {n} 行「{m}」：有 {k} 个名为「{j}」的单位（编号 {p}），无法确定是哪一个",
        "Row {n}, \"{m}\": there are {k} units named \"{j}\" (ids {p}); cannot tell which one is meant",
    ),
    (
        "第 {n} 行「{m}」：已有单位「{k}」的上级是{j}，文件写的是「{p}」；改上级请在组织页面移动该单位",
        "Row {n}, \"{m}\": the existing unit \"{k}\" has the parent {j}, but the file says \"{p}\"; to change the parent, move the unit on the Organisation page",
    ),
    (
        "第 {n} 行「{m}」：上级单位之间形成循环",
        "Row {n}, \"{m}\": the parent units form a cycle",
    ),
    ("第 {n} 行：{m}", "Row {n}: {m}"),
    (
        "文件中没有单位（表头下没有数据行）",
        "The file has no units (no data rows under the header)",
    ),
    (
        "还没有指挥部办公室：请先用 jianguan init 初始化城市",
        "There is no command office yet: set the city up first with jianguan init",
    ),
    ("{n}{m}（{k}，编号 {j}）{p}", "{n}{m} ({k}, id {j}){p}"),
    (" 〔已停用〕", " [disabled]"),
    // app/src/plans.rs
    ("项目 {n}", "Project {n}"),
    (
        "「{n}」不是该项目的县区、牵头单位或责任单位，不能申请调整",
        "\"{n}\" is not this project's district, lead unit or responsible unit and cannot request a change",
    ),
    ("调整类型", "Type of change"),
    ("调整申请 {n}", "Change request {n}"),
    ("审批意见", "Decision note"),
    ("驳回须写明理由", "A rejection needs a reason"),
    ("自年度", "From year"),
    // app/src/projects.rs
    ("手工录入", "Entered by hand"),
    (
        "所属县区 / 牵头单位：项目须在您单位的管辖范围内",
        "District / lead unit: the project must be within your unit's jurisdiction",
    ),
    // app/src/refusal.rs
    (
        "操作期间数据已有变化，本次未写入任何数据，请重新操作",
        "The data changed while you were working and nothing was saved; please try again",
    ),
    ("{n}“{m}”已存在", "{n} \"{m}\" already exists"),
    ("{n}已存在", "{n} already exists"),
    ("引用的{n}不存在", "Referenced record not found: {n}"),
    ("引用的记录不存在", "The referenced record does not exist"),
    (
        "数据库中已有项目数据",
        "The database already holds project data",
    ),
    ("类别编码", "Category code"),
    ("考评办法版本", "Assessment scheme version"),
    ("考评结果版本", "Assessment result version"),
    ("进度填报版本", "Progress report version"),
    ("事项记录", "Item record"),
    ("设置版本", "Settings version"),
    ("申诉的处理决定", "Decision on the objection"),
    ("填报周期", "Reporting period"),
    ("进度报告", "Progress report"),
    ("账号", "Account"),
    ("记录", "Record"),
    // app/src/setup.rs
    ("建管办", "JGB"),
    (
        "{n}城市建管提升行动指挥部办公室",
        "{n} Urban Construction Campaign Command Office",
    ),
    ("{n}：不能为空", "{n}: must not be empty"),
    (
        "{n}：不能超过 {m} 个字",
        "{n}: must not be longer than {m} characters",
    ),
    ("城市名称", "City name"),
    (
        "年度：应为 2000 至 2100 之间的年份，实为 {n}",
        "Year: should be a year from 2000 to 2100, but is {n}",
    ),
    ("发文机关", "Issuing authority"),
    ("文号前缀", "Document number prefix"),
    (
        "城市设置无法读取：{n}",
        "The city settings cannot be read: {n}",
    ),
    ("{n}用户名：{m}", "{n} user name: {m}"),
    ("{n}密码：{m}", "{n} password: {m}"),
    (
        "{n}用户名：与{m}的用户名相同，每个账户的用户名须不同",
        "{n} user name: the same as the {m}'s; each account needs its own user name",
    ),
    (
        "动态口令密钥生成失败：{n}",
        "Could not make the one-time code key: {n}",
    ),
    // domain/src/acts.rs
    (
        "[proposals] quiet_days 须 ≥ 0",
        "[proposals] quiet_days must be ≥ 0",
    ),
    (
        "[proposals] quiet_days 须 ≤ {n}（十年），得到 {m}",
        "[proposals] quiet_days must be ≤ {n} (ten years); got {m}",
    ),
    (
        "[[proposals.{n}]] 的 {m} 须 ≥ 1",
        "{m} of [[proposals.{n}]] must be ≥ 1",
    ),
    (
        "[[proposals.{n}]] 的 {m} 须 ≤ {k}（十年），得到 {j}",
        "{m} of [[proposals.{n}]] must be ≤ {k} (ten years); got {j}",
    ),
    ("{n}不能为空", "{n} must not be empty"),
    (
        "办理期限 {n} 早于签发日期 {m}",
        "The deadline {n} is before the day of issue {m}",
    ),
    (
        "建议 {n} 当日不在待签发之列（已签发、已不予签发或条件已消失）",
        "Proposal {n} is not awaiting issue that day (already issued or declined, or the condition has gone)",
    ),
    ("文号", "Document number"),
    ("参加人员", "Attendees"),
    ("约谈纪要", "Minutes of the summons"),
    ("节点逾期", "Overdue milestone"),
    ("进度滞后", "Progress lagging"),
    ("{n}建议 {m}", "{n} proposal {m}"),
    ("不予签发理由", "Reason for declining"),
    (
        "{n}：{m}「{k}」节点逾期{j}天",
        "{n}: {m}, milestone \"{k}\" {j} days overdue",
    ),
    (
        "「{n}」节点逾期 {m} 天（≥ {k} 天）",
        "Milestone \"{n}\" {m} days overdue (≥ {k} days)",
    ),
    ("{n}：{m}屡次警示", "{n}: repeated warnings on {m}"),
    (
        "{n} 天内 {m} 个节点达到警示",
        "{m} milestones at warning within {n} days",
    ),
    (
        "{n}：{m}{k}个项目处于警示",
        "{n}: {k} projects of {m} at warning",
    ),
    (
        "{n} 个项目处于警示（≥ {m} 个）",
        "{n} projects at warning (≥ {m})",
    ),
    (
        "{n}：{m}{k}天内被督办{j}次",
        "{n}: {m} supervised {j} times within {k} days",
    ),
    (
        "{n} 天内被督办 {m} 次（≥ {k} 次）",
        "Supervised {m} times within {n} days (≥ {k})",
    ),
    // domain/src/assessment/indicators.rs
    ("任意值", "any value"),
    (
        "完成 {n} / 计划 {m} 万元",
        "{n} of {m} planned (10,000 yuan)",
    ),
    (
        "指标库中没有指标「{n}」",
        "The indicator dictionary has no indicator \"{n}\"",
    ),
    (
        "指标「{n}」（{m}）由系统根据台账计算，不能录入",
        "Indicator \"{n}\" ({m}) is computed by the system from the records and cannot be entered",
    ),
    (
        "指标「{n}」（{m}）的值 {k}{j} 超出范围 {p}",
        "The value {k}{j} of indicator \"{n}\" ({m}) is outside the range {p}",
    ),
    (
        "指标「{n}」（{m}）以{k}计，须为整数，不能是 {j}",
        "Indicator \"{n}\" ({m}) is a count ({k}) and must be a whole number, not {j}",
    ),
    (
        "指标「{n}」（{m}）的值不是有效数字",
        "The value of indicator \"{n}\" ({m}) is not a valid number",
    ),
    ("媒体名称", "Outlet name"),
    ("报道标题", "Report title"),
    (
        "本年计划节点中截至月末应完成的，月末前已完成的占比",
        "Share of this year's planned milestones due by the month end that were finished by the month end",
    ),
    (
        "截至月末应完成的节点中，在计划日期当日或之前完成的占比",
        "Share of the milestones due by the month end that were finished on or before their planned date",
    ),
    (
        "年度建设项目中，截至月末本年计划节点全部完成的占比",
        "Share of this year's construction projects whose planned milestones for the year were all finished by the month end",
    ),
    (
        "本年截至月末完成投资 ÷ 年度计划投资（按各期填报的最新版本）",
        "Investment made this year to the month end ÷ planned investment for the year (using the latest version of each period's filing)",
    ),
    (
        "截止日在本月的进度填报中，按时填报的份数 ÷ 应报份数",
        "Progress reports due this month: those filed on time ÷ those due",
    ),
    ("份", "filings"),
    (
        "截止日在本月、逾期后才填报的进度报告份数",
        "Progress reports due this month that were filed late",
    ),
    (
        "截止日在本月、至月末仍未填报的进度报告份数",
        "Progress reports due this month still not filed at the month end",
    ),
    (
        "本月新发或升级至警示的节点预警次数",
        "Milestone warnings raised or escalated to the warning level this month",
    ),
    (
        "本月指挥部签发的督办次数（调度会议定或依建议签发，每次计一次）",
        "Supervision notices the headquarters issued this month (decided at a dispatch meeting or issued on a proposal; each counts once)",
    ),
    (
        "本月指挥部约谈的次数（每次计一次）",
        "Summons the headquarters held this month (each counts once)",
    ),
    (
        "本月为本单位项目提出的计划调整申请次数（含驳回的）",
        "Plan change requests made for the unit's projects this month (including rejected ones)",
    ),
    ("项", "items"),
    (
        "月末仍在办理且已过期限的督办、协调、整改事项数",
        "Supervision, coordination and rectification items still open and past their deadline at the month end",
    ),
    ("整改一次复查通过率", "Rectification first-review pass rate"),
    (
        "本月首次复查的整改事项中，首次复查即通过的占比",
        "Share of the rectification orders first reviewed this month that passed that first review",
    ),
    ("中央媒体报道", "National media reports"),
    ("篇", "reports"),
    (
        "媒体宣传登记中本月中央媒体报道篇数",
        "Reports in national media this month, from the media coverage register",
    ),
    ("省级媒体报道", "Provincial media reports"),
    (
        "媒体宣传登记中本月省级媒体报道篇数",
        "Reports in provincial media this month, from the media coverage register",
    ),
    ("市级媒体报道", "City media reports"),
    (
        "媒体宣传登记中本月市级媒体报道篇数",
        "Reports in city media this month, from the media coverage register",
    ),
    ("道路清扫保洁市场化率", "Street cleaning marketisation rate"),
    (
        "市场化清扫保洁的道路面积 ÷ 城市道路清扫保洁总面积（市城管局报送）",
        "Street area cleaned by contracted market providers ÷ total urban street area cleaned (reported by the city management bureau)",
    ),
    ("机械化清扫率", "Mechanised cleaning rate"),
    (
        "机械化清扫的道路面积 ÷ 城市道路清扫保洁总面积（市城管局报送）",
        "Street area cleaned by machine ÷ total urban street area cleaned (reported by the city management bureau)",
    ),
    ("新增停车泊位", "New parking spaces"),
    (
        "本月新增建成的公共停车泊位数",
        "Public parking spaces newly completed this month",
    ),
    ("群众满意度", "Public satisfaction"),
    (
        "第三方测评的群众满意度得分（百分制）",
        "Public satisfaction score from a third-party survey (out of 100)",
    ),
    ("200米见绿覆盖率", "200 m green space coverage"),
    (
        "沿步行路网 200 米内有绿地的居民占比",
        "Share of residents with green space within 200 m along the walking network",
    ),
    ("400米见园覆盖率", "400 m park coverage"),
    (
        "沿步行路网 400 米内有公园的居民占比",
        "Share of residents with a park within 400 m along the walking network",
    ),
    ("10分钟如厕圈覆盖率", "10-minute toilet coverage"),
    (
        "步行 10 分钟内可达公厕的居民占比",
        "Share of residents within a 10-minute walk of a public toilet",
    ),
    ("信息报送采用", "Information reports adopted"),
    (
        "本月报送的工作动态、亮点被简报采用或报领导、媒体的篇数",
        "Work updates and highlights reported this month that were taken up in briefings or passed to leaders or the media",
    ),
    ("创新经验获认可", "Innovations recognised"),
    (
        "本月创新做法获市级以上推广或肯定的项数",
        "Innovative practices promoted or commended at city level or above this month",
    ),
    (
        "步行 400 米（路网距离）内可达公园绿地的居民占比，由服务覆盖分析（覆盖分析页或命令行）计算后写入",
        "Share of residents within a 400 m walk (network distance) of a park, written by the service coverage analysis (the coverage page or the command line)",
    ),
    (
        "步行 10 分钟（每分钟 80 米）内可达公厕的居民占比，由服务覆盖分析（覆盖分析页或命令行）计算后写入",
        "Share of residents within a 10-minute walk (80 m a minute) of a public toilet, written by the service coverage analysis (the coverage page or the command line)",
    ),
    ("15分钟生活圈覆盖率", "15-minute neighbourhood coverage"),
    (
        "步行 15 分钟内可达邻里中心的居民占比，由服务覆盖分析（覆盖分析页或命令行）计算后写入",
        "Share of residents within a 15-minute walk of a neighbourhood centre, written by the service coverage analysis (the coverage page or the command line)",
    ),
    // domain/src/assessment/month.rs
    (
        "月份「{n}」应写作 2021-10",
        "The month \"{n}\" should be written like 2021-10",
    ),
    // domain/src/assessment/run.rs
    (
        "该月结果已发布，重新计分须填写更正理由",
        "This month's results are published; rescoring needs a correction reason",
    ),
    (
        "{n} 的第 {m} 版结果已发布",
        "Version {m} of the results for {n} is already published",
    ),
    (
        "计分结果与输入不符：{n}",
        "The scores do not match the input: {n}",
    ),
    (
        "{n} 已按第 {m} 版考评办法发布，更正须沿用该版（不能用第 {k} 版）",
        "{n} was published under version {m} of the assessment scheme; a correction must use that version (not version {k})",
    ),
    (
        "输入为 {n} {m}，结果为 {k} {j}",
        "the input is {n} {m}, the results are {k} {j}",
    ),
    ("原结果为 {n} {m}", "the original results are {n} {m}"),
    ("待处理", "Open"),
    ("已采纳", "Accepted"),
    (
        "{n} 的结果尚未发布，不能申诉",
        "The results for {n} are not published yet; no objection can be filed",
    ),
    (
        "申诉与考评结果的月份或对象不符",
        "The objection does not match the results' month or subjects",
    ),
    (
        "申诉须针对最新的第 {n} 版结果",
        "An objection must concern the latest results, version {n}",
    ),
    (
        "申诉日期早于结果发布日 {n}",
        "The objection is dated before the results were published on {n}",
    ),
    ("申诉期已于 {n} 结束", "The objection period ended on {n}"),
    (
        "该单位不在本月考评结果中",
        "The unit is not in this month's assessment results",
    ),
    (
        "考评结果中没有{n}「{m}」",
        "The assessment results have no line \"{m}\" ({n})",
    ),
    (
        "该{n}已有待处理的申诉",
        "This line ({n}) already has an open objection",
    ),
    (
        "申诉{n}，不能再处理",
        "The objection is already decided ({n}) and cannot be decided again",
    ),
    (
        "申诉单位不能处理自己的申诉",
        "A unit cannot decide its own objection",
    ),
    (
        "处理日期 {n} 早于申诉日期 {m}",
        "The decision date {n} is before the objection date {m}",
    ),
    ("申诉理由", "Reason for the objection"),
    ("处理理由", "Reason for the decision"),
    (
        "采纳申诉 #{n}（{m}「{k}」）：{j}",
        "Objection #{n} accepted ({m} \"{k}\"): {j}",
    ),
    // domain/src/assessment/scheme.rs
    (
        "2021年度城市建管提升行动月度考评办法",
        "2021 Urban Construction Campaign monthly assessment scheme",
    ),
    (
        "城乡环境综合整治",
        "Urban and rural environment improvement",
    ),
    ("示例高新区", "Demo High-tech Zone"),
    ("城市功能与品质提升", "Urban function and quality"),
    ("城市综合管理", "Integrated urban management"),
    ("警示扣分", "Warning deduction"),
    ("督办扣分", "Supervision deduction"),
    ("约谈扣分", "Summons deduction"),
    ("迟报扣分", "Late filing deduction"),
    ("漏报扣分", "Missing filing deduction"),
    ("中央媒体报道加分", "National media coverage bonus"),
    ("省级媒体报道加分", "Provincial media coverage bonus"),
    ("创新经验加分", "Innovation bonus"),
    ("信息采用加分", "Information adopted bonus"),
    ("好", "Good"),
    ("较好", "Fairly good"),
    ("一般", "Fair"),
    ("差", "Poor"),
    ("目标比值法", "Ratio to target"),
    ("区间线性法", "Linear interval"),
    ("排名法", "Ranking"),
    (
        "year 须为 2000–2100 之间的年份",
        "year must be a year from 2000 to 2100",
    ),
    (
        "version 须为正整数",
        "version must be a positive whole number",
    ),
    (
        "name（办法名称）不能为空",
        "name (the scheme's name) must not be empty",
    ),
    (
        "objection_window_days 须为 1–366 天",
        "objection_window_days must be 1–366 days",
    ),
    (
        "「{n}」的分单位目标中的「{m}」不是县区或牵头单位",
        "\"{m}\" in the per-unit targets of \"{n}\" is not a district or lead unit",
    ),
    (
        "至少需要一个考核体系 [[system]]",
        "At least one assessment system [[system]] is needed",
    ),
    ("体系 code 不能为空", "A system's code must not be empty"),
    ("体系「{n}」重复", "The system \"{n}\" appears twice"),
    (
        "体系「{n}」的权重须在 0 到 1 之间",
        "The weight of system \"{n}\" must be between 0 and 1",
    ),
    (
        "体系「{n}」没有指标 [[system.indicator]]",
        "The system \"{n}\" has no indicators [[system.indicator]]",
    ),
    (
        "体系「{n}」的指标权重之和为 {m}，应为 1（{k}）",
        "The indicator weights of system \"{n}\" add up to {m}, not 1 ({k})",
    ),
    (
        "各考核体系权重之和为 {n}，应为 1（{m}）",
        "The assessment systems' weights add up to {n}, not 1 ({m})",
    ),
    (
        "指标「{n}」在办法中出现了两次",
        "The indicator \"{n}\" appears twice in the scheme",
    ),
    (
        "「{n}」的权重须在 0 到 1 之间",
        "The weight of \"{n}\" must be between 0 and 1",
    ),
    ("{n} 方法不用 {m}", "The {n} method does not use {m}"),
    (
        "「{n}」的 {m} 不是有效数字",
        "The {m} of \"{n}\" is not a valid number",
    ),
    (
        "「{n}」用 {m} 方法，须设 {k}",
        "\"{n}\" uses the {m} method and needs {k}",
    ),
    (
        "越高越好，best 须大于 worst",
        "Higher is better, so best must be greater than worst",
    ),
    (
        "越低越好，best 须小于 worst",
        "Lower is better, so best must be less than worst",
    ),
    (
        "「{n}」的目标值须大于 0",
        "The target of \"{n}\" must be greater than 0",
    ),
    ("target（目标即 best）", "target (the target is best)"),
    (
        "「{n}」的 step 须在 0 到 100 之间",
        "The step of \"{n}\" must be between 0 and 100",
    ),
    (
        "排名法没有目标值，不能为「{n}」另设",
        "The ranking method has no targets; none can be set for \"{n}\"",
    ),
    (
        "「{n}」为「{m}」设的目标 {k} 无效（{j}）",
        "The target {k} that \"{n}\" sets for \"{m}\" is invalid ({j})",
    ),
    ("须大于 0", "it must be greater than 0"),
    (
        "{n} 须是计数指标，「{m}」以{k}计",
        "{n} must use a count indicator; \"{m}\" is measured in {k}",
    ),
    (
        "{n}项 code 不能为空",
        "An entry under {n} has an empty code",
    ),
    (
        "{n}项「{m}」与其他加扣分项重名",
        "The code \"{m}\" under {n} is already used by another deduction or bonus",
    ),
    ("{n}项", "Entry under {n}"),
    (
        "{n}项「{m}」的每次分值不能为负",
        "The points per time of \"{m}\" under {n} must not be negative",
    ),
    (
        "{n}项「{m}」的封顶分值不能为负",
        "The cap of \"{m}\" under {n} must not be negative",
    ),
    (
        "至少需要一个等次 [[tiers.tier]]",
        "At least one grade [[tiers.tier]] is needed",
    ),
    (
        "等次名称「{n}」为空或重复",
        "The grade name \"{n}\" is empty or repeated",
    ),
    (
        "按分数分档，等次「{n}」用 min/max，不用 first/last",
        "Grades go by score, so grade \"{n}\" uses min/max, not first/last",
    ),
    (
        "等次「{n}」的分数界限不是有效数字",
        "The score bounds of grade \"{n}\" are not valid numbers",
    ),
    (
        "最好的等次「{n}」不设 max",
        "The best grade \"{n}\" takes no max",
    ),
    (
        "等次「{n}」须设 max（上一等次的 min）",
        "Grade \"{n}\" needs a max (the min of the grade above)",
    ),
    (
        "最差的等次「{n}」不设 min",
        "The worst grade \"{n}\" takes no min",
    ),
    ("等次「{n}」须设 min", "Grade \"{n}\" needs a min"),
    (
        "等次「{n}」的 min {m} 须小于 max {k}",
        "The min {m} of grade \"{n}\" must be less than its max {k}",
    ),
    (
        "等次「{n}」（低于 {m}）与「{k}」（{j} 起）重叠",
        "Grade \"{n}\" (below {m}) overlaps \"{k}\" (from {j})",
    ),
    (
        "等次「{n}」（低于 {m}）与「{k}」（{j} 起）之间有空档",
        "There is a gap between grade \"{n}\" (below {m}) and \"{k}\" (from {j})",
    ),
    (
        "按名次分档，等次「{n}」用 first/last，不用 min/max",
        "Grades go by rank, so grade \"{n}\" uses first/last, not min/max",
    ),
    ("等次「{n}」须设 first", "Grade \"{n}\" needs a first"),
    (
        "最差的等次「{n}」不设 last",
        "The worst grade \"{n}\" takes no last",
    ),
    ("等次「{n}」须设 last", "Grade \"{n}\" needs a last"),
    (
        "等次「{n}」的 last 须不小于 first",
        "The last of grade \"{n}\" must not be less than its first",
    ),
    (
        "等次「{n}」从第 {m} 名起，与上一等次重叠（应从第 {k} 名起）",
        "Grade \"{n}\" starts at rank {m} and overlaps the grade above (it should start at rank {k})",
    ),
    (
        "等次「{n}」从第 {m} 名起，与上一等次之间有空档（应从第 {k} 名起）",
        "Grade \"{n}\" starts at rank {m}, leaving a gap after the grade above (it should start at rank {k})",
    ),
    // domain/src/assessment/score.rs
    (
        "{n} 年的考评办法不能用于 {m}",
        "The assessment scheme of {n} cannot be used for {m}",
    ),
    // domain/src/calendar.rs
    ("年-月-日", "year-month-day"),
    (
        "period_days 须在 1 到 62 之间，得到 {n}",
        "period_days must be between 1 and 62; got {n}",
    ),
    (
        "deadline_after_days 须在 0 到 31 之间，得到 {n}",
        "deadline_after_days must be between 0 and 31; got {n}",
    ),
    (
        "investment_refuse_multiple 须在 1 到 100 之间，得到 {n}",
        "investment_refuse_multiple must be between 1 and 100; got {n}",
    ),
    // domain/src/catalogue.rs
    (
        "{n}：请选择一个在用的{m}",
        "{n}: choose an active unit ({m})",
    ),
    ("类别名称：不能为空", "Category name: must not be empty"),
    (
        "类别名称：不能超过 {n} 个字，现为 {m} 个字",
        "Category name: at most {n} characters; it has {m}",
    ),
    (
        "类别名称：已有名为「{n}」的类别",
        "Category name: a category named \"{n}\" already exists",
    ),
    (
        "类别代码：须为不超过 {n} 个字符的小写字母、数字或下划线，如 old_community",
        "Category code: use at most {n} lower-case letters, digits or underscores, such as old_community",
    ),
    (
        "类别代码：「{n}」已被其他类别使用",
        "Category code: \"{n}\" is already used by another category",
    ),
    ("所属分指挥部", "Sub-headquarters"),
    (
        "节点模板：至少需要一个节点",
        "Milestone template: at least one milestone is needed",
    ),
    ("第{n}个节点", "Milestone {n}"),
    ("第{n}个节点「{m}」", "Milestone {n} \"{m}\""),
    ("{n}：名称不能为空", "{n}: the name must not be empty"),
    (
        "{n}：名称不能超过 {m} 个字",
        "{n}: the name must not be longer than {m} characters",
    ),
    (
        "{n}：名称与前面的节点重复",
        "{n}: the name repeats an earlier milestone",
    ),
    (
        "{n}：权重须为 0–100 的整数",
        "{n}: the weight must be a whole number from 0 to 100",
    ),
    (
        "{n}：工期占比须为 0–100 的整数",
        "{n}: the share of schedule must be a whole number from 0 to 100",
    ),
    (
        "{n}：进入状态不能是「暂缓」（暂缓另行登记）",
        "{n}: the status entered cannot be \"Suspended\" (suspension is recorded separately)",
    ),
    (
        "{n}：进入状态「{m}」须在第{k}个节点的「{j}」之后（按前期、在建、完工、验收、移交管养的顺序）",
        "{n}: the status entered, \"{m}\", must come after \"{j}\" of milestone {k} (in the order Preliminary, Under construction, Finished, Accepted, Handed over)",
    ),
    (
        "{n}：进入状态无法识别",
        "{n}: the status entered is not recognised",
    ),
    (
        "各节点权重之和须为 100，现为 {n}",
        "The milestones' weights must add up to 100; they add up to {n}",
    ),
    (
        "各节点工期占比之和须为 100，现为 {n}",
        "The milestones' shares of schedule must add up to 100; they add up to {n}",
    ),
    // domain/src/dispatch.rs
    (
        "周次「{n}」应写作 2021-W40",
        "The week \"{n}\" should be written like 2021-W40",
    ),
    ("{n} 年没有第 {m} 周", "{n} has no week {m}"),
    // domain/src/filing.rs
    (
        "「{n}」由期次 {m} 的填报报完成，撤回须更正该期填报",
        "\"{n}\" was reported reached in the filing for period {m}; to withdraw it, correct that period's filing",
    ),
    ("报告与项目不符", "The report does not match the project"),
    (
        "该项目不在此期次的年度计划中",
        "The project is not in this period's annual plan",
    ),
    (
        "期次 {n} 尚未开始",
        "The period beginning {n} has not started yet",
    ),
    (
        "节点 {n} 不属于该项目",
        "Milestone {n} does not belong to this project",
    ),
    ("节点「{n}」重复填报", "Milestone \"{n}\" is reported twice"),
    (
        "「{n}」的完成日期 {m} 晚于今天 {k}",
        "The date {m} given for \"{n}\" is after today, {k}",
    ),
    (
        "「{n}」的完成日期 {m} 早于项目开始（{k}）",
        "The date {m} given for \"{n}\" is before the project began ({k})",
    ),
    (
        "「{n}」已在期次 {m} 的填报中报完成",
        "\"{n}\" was already reported reached in the filing for period {m}",
    ),
    (
        "累计完成投资不能为负",
        "The investment to date must not be negative",
    ),
    (
        "累计完成投资 {n} 万元少于上期 {m} 万元，须填写更正理由",
        "The investment to date, {n} (10,000 yuan), is less than last period's {m}; give a correction reason",
    ),
    (
        "撤回本期已报完成的节点「{n}」属于更正，须填写更正理由",
        "Withdrawing milestones reported reached this period (\"{n}\") is a correction; give a correction reason",
    ),
    (
        "第{n}期已于 {m} 截止，修改须填写更正理由",
        "Period {n} closed on {m}; a change needs a correction reason",
    ),
    (
        "已填报过本期，修改须填写更正理由",
        "This period is already filed; a change needs a correction reason",
    ),
    (
        "累计完成投资 {n} 万元超过项目总投资 {m} 万元的 {k} 倍，请核对金额（单位为万元）后重填",
        "The investment to date, {n} (10,000 yuan), is more than {k} times the project's total investment of {m}; check the amount (in 10,000 yuan) and enter it again",
    ),
    (
        "请核实：累计完成投资 {n} 万元超过项目总投资 {m} 万元。如属实，请在项目信息中调整总投资；如有误，请更正本期填报",
        "Please check: the investment to date, {n} (10,000 yuan), exceeds the project's total investment of {m}. If that is right, adjust the total investment in the project's details; if not, correct this period's filing",
    ),
    // domain/src/fmt.rs
    ("{n}年{m}月{k}日", "{n}-{m}-{k}"),
    ("持平", "unchanged"),
    ("系统", "System"),
    ("示例数据", "Demo data"),
    ("命令行", "Command line"),
    ("命令行（{n}）", "Command line ({n})"),
    // domain/src/followup.rs
    ("复查未通过", "Rejected on review"),
    ("部队", "Army"),
    ("用地协调", "Land use coordination"),
    ("铁路", "Railway"),
    ("审批手续", "Approvals"),
    ("燃气", "Gas"),
    ("通信", "Telecoms"),
    ("管线迁改", "Utility relocation"),
    ("央企", "Central state enterprise"),
    ("征地拆迁", "Land acquisition and demolition"),
    ("部门协调", "Interdepartmental coordination"),
    ("{n}：{m}需{k}配合", "{n}: {m} needs the help of {k}"),
    ("进度填报第{n}期", "Progress filing, period {n}"),
    (
        "日期 {n} 早于事项的上一条记录（{m}）",
        "The date {n} is before the item's last record ({m})",
    ),
    (
        "事项{n}，不能{m}",
        "The item's status is {n}, so \"{m}\" is not possible",
    ),
    ("只有交办单位可以复查", "Only the assigning unit can review"),
    (
        "只有责任单位可以{n}",
        "Only the responsible unit can do this: {n}",
    ),
    (
        "只有责任单位（提请）或交办单位可以升级",
        "Only the responsible unit (by request) or the assigning unit can escalate",
    ),
    (
        "只有交办单位可以延期",
        "Only the assigning unit can extend the deadline",
    ),
    (
        "已由{n}跟踪，升级须高于此级",
        "Already followed at the level of {n}; escalation must go higher",
    ),
    (
        "新期限须晚于现期限 {n}",
        "The new deadline must be after the current deadline, {n}",
    ),
    ("复查", "Review"),
    (
        "逾期 {n} 天未办结，自动升级至{m}",
        "Open {n} days past the deadline; escalated automatically to {m}",
    ),
    // domain/src/i18n.rs
    // domain/src/org.rs
    ("无上级单位", "none"),
    ("无上级单位或{n}", "none or {n}"),
    ("单位名称：不能为空", "Unit name: must not be empty"),
    (
        "单位名称：不能超过 {n} 个字（现有 {m} 个）",
        "Unit name: at most {n} characters (it has {m})",
    ),
    (
        "单位名称：首尾不能有空格",
        "Unit name: must not begin or end with a space",
    ),
    (
        "上级单位：不能是本单位",
        "Parent unit: cannot be the unit itself",
    ),
    (
        "上级单位：没有编号为 {n} 的单位",
        "Parent unit: there is no unit with id {n}",
    ),
    (
        "上级单位：{n}的上级应为{m}，「{k}」是{j}",
        "Parent unit: for type {n} the parent must be {m}; \"{k}\" is of type {j}",
    ),
    (
        "上级单位：「{n}」已停用",
        "Parent unit: \"{n}\" is disabled",
    ),
    (
        "上级单位：不能是本单位的下级单位",
        "Parent unit: cannot be one of the unit's own subordinate units",
    ),
    (
        "类型：已有指挥部办公室，只能有一个",
        "Type: there is already a command office; there can be only one",
    ),
    (
        "单位名称：同一上级下已有{n}「{m}」（编号 {k}）",
        "Unit name: the same parent already has \"{m}\" ({n}, id {k})",
    ),
    (
        "指挥部办公室不能停用",
        "The command office cannot be disabled",
    ),
    (
        "「{n}」下还有在用的下级单位（{m}），请先停用或移走它们",
        "\"{n}\" still has active subordinate units ({m}); disable or move them first",
    ),
    (
        "单位：没有名为「{n}」的在用单位",
        "Unit: there is no active unit named \"{n}\"",
    ),
    (
        "单位：有 {n} 个名为「{m}」的单位，请用编号指定：{k}",
        "Unit: {n} units are named \"{m}\"; give the id instead: {k}",
    ),
    ("{n}（{m}，编号 {k}）", "{n} ({m}, id {k})"),
    // domain/src/plan.rs
    ("项目没有 {n} 年的计划", "The project has no plan for {n}"),
    (
        "{n} 年计划尚未批准（{m}），不能申请计划调整；草拟中的计划请直接修改",
        "The {n} plan is not approved yet ({m}), so no plan change can be requested; edit a draft plan directly",
    ),
    ("该年度计划已取消", "This annual plan has been cancelled"),
    ("调整理由", "Reason for the change"),
    (
        "必填：请说明调整的原因",
        "Required: explain why the change is needed",
    ),
    ("不超过 2000 字", "At most 2000 characters"),
    (
        "该项目已有一项待审批的「{n}」申请",
        "The project already has a pending \"{n}\" request",
    ),
    ("调整后年度投资", "New annual investment"),
    (
        "必填：调整后的年度计划投资（万元）",
        "Required: the new planned investment for the year (10,000 yuan)",
    ),
    ("不得为负数", "Must not be negative"),
    ("生效日期", "Effective date"),
    ("必填：自哪一天起", "Required: the day it takes effect"),
    ("项目已暂缓", "The project is already suspended"),
    ("调整后建设内容", "New scope"),
    ("必填：调整后的建设内容", "Required: the new scope"),
    ("节点日期", "Milestone dates"),
    (
        "至少调整一个节点的计划日期",
        "Change the planned date of at least one milestone",
    ),
    (
        "节点「{n}」已完成，不能调整计划日期",
        "Milestone \"{n}\" is reached; its planned date cannot change",
    ),
    (
        "节点「{n}」调整后为 {m}，早于上一节点「{k}」的 {j}",
        "Milestone \"{n}\" would move to {m}, before the previous milestone \"{k}\" on {j}",
    ),
    // domain/src/boundary.rs
    ("第 {n} 块多边形的外环", "the exterior ring of polygon {n}"),
    ("第 {n} 块多边形的第 {m} 个内洞", "hole {m} of polygon {n}"),
    (
        "边界为空：没有任何多边形",
        "The boundary is empty: it has no polygon",
    ),
    (
        "{n}只有 {m} 个不同的点，至少需要 3 个（首尾闭合后 4 个）",
        "{n} has only {m} distinct points; at least 3 are needed (4 once closed)",
    ),
    (
        "{n}有不是数字的坐标",
        "{n} has a coordinate that is not a number",
    ),
    (
        "{n}的坐标（{m}, {k}）超出经纬度范围，像是投影坐标（米）：边界须为 WGS-84 经纬度（度）",
        "{n}: the coordinates ({m}, {k}) are beyond longitude and latitude and look like projected coordinates (metres): boundaries must be WGS-84 longitude and latitude (degrees)",
    ),
    (
        "{n}自相交，约在经度 {m}、纬度 {k} 处",
        "{n} crosses itself, at about longitude {m}, latitude {k}",
    ),
    (
        "{n}与{m}相交，约在经度 {k}、纬度 {j} 处",
        "{n} and {m} cross, at about longitude {k}, latitude {j}",
    ),
    (
        "{n}不在所属多边形的外环之内（如经度 {m}、纬度 {k} 处的点）",
        "{n} is not inside its polygon's exterior ring (for example the point at longitude {m}, latitude {k})",
    ),
    (
        "第 {n} 块多边形位于第 {m} 块之内（不在其内洞中），面积重复",
        "Polygon {n} lies inside polygon {m} (not in one of its holes): its area would be counted twice",
    ),
    ("含 {n} 个飞地/岛", "{n} exclaves or islands"),
    ("含 {n} 个内洞", "{n} holes"),
    (
        "{n} 个环首尾未闭合，已自动闭合",
        "{n} rings did not end where they began and were closed",
    ),
    // domain/src/coords.rs
    (
        "WGS-84（GPS、天地图、OpenStreetMap）",
        "WGS-84 (GPS, Tianditu, OpenStreetMap)",
    ),
    (
        "GCJ-02（高德、腾讯等手机地图）",
        "GCJ-02 (Amap, Tencent and most phone maps)",
    ),
    ("BD-09（百度地图）", "BD-09 (Baidu Maps)"),
    (
        "未知坐标系「{n}」：应为 WGS-84（GPS）、GCJ-02（高德、腾讯）或 BD-09（百度）",
        "Unknown coordinate system \"{n}\": use WGS-84 (GPS), GCJ-02 (Amap, Tencent) or BD-09 (Baidu)",
    ),
    ("坐标系", "Coordinate system"),
    ("坐标", "Coordinates"),
    ("地图", "Map"),
    ("天地图", "Tianditu"),
    ("火星", "Mars (GCJ-02)"),
    ("国测局", "GCJ-02 (national surveying bureau)"),
    ("高德", "Amap"),
    ("腾讯", "Tencent"),
    ("百度", "Baidu"),
    (
        "经纬度可能填反了：经度 {n}、纬度 {m} 不在范围内，对调后在范围内（经度 {k}–{j}，纬度 {p}–{q}）",
        "Longitude and latitude may be swapped: longitude {n}, latitude {m} are out of range, but swapped they are in range (longitude {k}–{j}, latitude {p}–{q})",
    ),
    (
        "须在 {n}–{m} 之间（东经，十进制度），{k} 不在范围内",
        "Must be between {n} and {m} (degrees east, decimal); {k} is out of range",
    ),
    (
        "须在 {n}–{m} 之间（北纬，十进制度），{k} 不在范围内",
        "Must be between {n} and {m} (degrees north, decimal); {k} is out of range",
    ),
    // domain/src/project_edit.rs
    ("请填写金额（万元）", "Enter an amount (10,000 yuan)"),
    (
        "须为不小于 0 的金额（万元），如 1250.5",
        "Must be an amount of at least 0 (10,000 yuan), such as 1250.5",
    ),
    ("请选择一个在用的{n}", "Choose an active unit ({n})"),
    (
        "须为 {n}–{m} 之间的度数（十进制，如 {k}）",
        "Must be degrees between {n} and {m} (decimal, such as {k})",
    ),
    (
        "须为日期，格式 YYYY-MM-DD，如 2021-10-31",
        "Must be a date in the form YYYY-MM-DD, such as 2021-10-31",
    ),
    ("不能为空", "Must not be empty"),
    ("不能超过 {n} 个字", "At most {n} characters"),
    ("项目类别", "Project category"),
    ("请选择一个类别", "Choose a category"),
    (
        "请选择新建、改造或整治",
        "Choose new build, renovation or remediation",
    ),
    ("总投资", "Total investment"),
    ("计划年度", "Plan year"),
    (
        "须为 2000 至 2100 之间的年份，如 2021",
        "Must be a year from 2000 to 2100, such as 2021",
    ),
    ("计划类型", "Plan type"),
    (
        "请选择年度建设或前期或跨年",
        "Choose construction this year, or preliminary or multi-year",
    ),
    ("年度计划投资", "Planned investment for the year"),
    (
        "{n} 年计划已批准，计划类型和计划投资只能通过计划调整修改",
        "The {n} plan is approved; its plan type and planned investment change only through a plan change",
    ),
    ("不能超过 40 个字符", "At most 40 characters"),
    (
        "「{n}」已被其他项目使用",
        "\"{n}\" is already used by another project",
    ),
    (
        "不能早于计划开工日期",
        "Must not be before the planned start date",
    ),
    (
        "该项目的节点与类别模板不一致，不能按模板推算，请逐个填写节点计划日期",
        "The project's milestones differ from the category template, so their dates cannot be derived from it; fill in each milestone's planned date",
    ),
    (
        "类别模板的工期占比之和不是 100，不能推算，请逐个填写节点计划日期",
        "The category template's shares of schedule do not add up to 100, so dates cannot be derived; fill in each milestone's planned date",
    ),
    (
        "填写了完工日期时须同时填写开工日期",
        "A completion date needs a start date too",
    ),
    (
        "填写了开工日期时须同时填写完工日期",
        "A start date needs a completion date too",
    ),
    ("请填写计划日期", "Fill in the planned date"),
    (
        "计划日期不能早于上一节点（{n}）",
        "The planned date must not be before the previous milestone ({n})",
    ),
    (
        "请填写计划开工和完工日期（按类别模板推算各节点），或逐个填写各节点计划日期",
        "Fill in the planned start and completion dates (milestones are derived from the category template), or each milestone's planned date",
    ),
    (
        "年度计划已批准，节点计划日期是基线，只能通过计划调整修改",
        "The annual plan is approved: the milestones' planned dates are the baseline and change only through a plan change",
    ),
    // domain/src/quarterly.rs
    ("{n}年第{m}季度", "Q{m} {n}"),
    ("一", "1"),
    ("二", "2"),
    ("三", "3"),
    ("四", "4"),
    (
        "季度「{n}」应写作 2021-Q3",
        "The quarter \"{n}\" should be written like 2021-Q3",
    ),
    // domain/src/warnings.rs
    (
        "至少需要一级逾期规则 [[overdue]]",
        "At least one overdue rung [[overdue]] is needed",
    ),
    (
        "逾期规则须按天数和等级递增：{n}天{m} 之后不能是 {k}天{j}",
        "Overdue rules must rise in days and level: {n} days → {m} cannot be followed by {k} days → {j}",
    ),
    ("逾期天数须 ≥ 1", "Days overdue must be ≥ 1"),
    (
        "逾期天数须 ≤ {n}（十年），得到 {m}",
        "Days overdue must be ≤ {n} (ten years); got {m}",
    ),
    (
        "风险等级只用于到期前（[at_risk]），不能作为逾期等级",
        "The risk level is only for before the due date ([at_risk]) and cannot be an overdue level",
    ),
    (
        "[repeat] 的 count 与 within_days 须 ≥ 1",
        "count and within_days of [repeat] must be ≥ 1",
    ),
    (
        "[repeat] 的 within_days 须 ≤ {n}（十年），得到 {m}",
        "within_days of [repeat] must be ≤ {n} (ten years); got {m}",
    ),
    (
        "[at_risk] 的 within_days 与 min_predicted_days 须 ≥ 1",
        "within_days and min_predicted_days of [at_risk] must be ≥ 1",
    ),
    (
        "[at_risk] 的 within_days 与 min_predicted_days 须 ≤ {n}（十年）",
        "within_days and min_predicted_days of [at_risk] must be ≤ {n} (ten years)",
    ),
    (
        "[lights] 占比须在 0 到 1 之间（即 0% 到 100%）",
        "[lights] shares must be between 0 and 1 (that is, 0% to 100%)",
    ),
    (
        "# 警示提醒规则（由设置页表单保存；每次修改 version 加 1）\n",
        "# Warning rules (saved by the settings form; add 1 to version with every change)\n",
    ),
    (
        "version 须大于正在执行的第 {n} 版（每次修改请将 version 加 1）",
        "version must be greater than the version in force, {n} (add 1 to version with every change)",
    ),
    ("节点已不在计划中", "The milestone is no longer in the plan"),
    ("「{n}」已于 {m} 完成", "\"{n}\" was reached on {m}"),
    (
        "「{n}」不再逾期或项目暂缓",
        "\"{n}\" is no longer overdue, or the project is suspended",
    ),
    (
        "{n}；{m} 天内另有 {k} 个节点达到{j}",
        "{n}; {k} other milestones reached {j} within {m} days",
    ),
    (
        "「{n}」计划 {m}，逾期 {k} 天",
        "\"{n}\" planned {m}, {k} days overdue",
    ),
    (
        "前序节点已逾期 {n} 天",
        "an earlier milestone is {n} days overdue",
    ),
    (
        "已完成节点平均滞后 {n} 天",
        "reached milestones were {n} days late on average",
    ),
    (
        "「{n}」计划 {m}，{k} 天后到期；{j}",
        "\"{n}\" planned {m}, due in {k} days; {j}",
    ),
    // Glue between the pieces of a built sentence (quotes, a list, an added reason).
    ("「{n}」{m}", "\"{n}\" {m}"),
    ("」「", "\", \""),
    ("{n}。{m}", "{n}. {m}"),
    ("{n}；{m}", "{n}; {m}"),
    ("{n}{m}（{k}）", "{n}{m} ({k})"),
    // Wall links (jianguan_app::wall_links, jianguan_access::wall, the store's refusals).
    ("无法生成链接：{n}", "Could not make the link: {n}"),
    ("名称：请填写", "Name: required"),
    ("名称：不能超过 {n} 个字", "Name: at most {n} characters"),
    (
        "有效期至：不能早于今天（{n}）",
        "Valid until: not before today ({n})",
    ),
    (
        "范围：没有编号为 {n} 的在用单位",
        "Scope: no active unit with id {n}",
    ),
    (
        "范围：「{n}」是{m}，不参加调度，不能开设大屏链接",
        "Scope: “{n}” is a {m}, which is not at the dispatch meeting; no wall link can be made for it",
    ),
    ("长期", "No end"),
    ("大屏链接（编号 {n}）", "wall link (id {n})"),
    (
        "大屏链接（编号 {n}）已撤销",
        "Wall link (id {n}) is revoked already",
    ),
    ("有效", "Open"),
    ("已撤销", "Revoked"),
    ("已过期", "Expired"),
];
