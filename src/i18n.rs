//! Every string the UI shows, in Simplified Chinese (the default) and English.
//!
//! Strings are looked up by a [`Key`], so a missing translation is a compile error, not
//! a blank button. The chosen language is remembered in local storage.

use gloo_storage::{LocalStorage, Storage};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    Zh,
    En,
}

const LANG_KEY: &str = "hongling.lang";

impl Lang {
    /// The remembered language, Chinese when none was chosen.
    pub fn load() -> Lang {
        LocalStorage::get(LANG_KEY).unwrap_or(Lang::Zh)
    }

    pub fn remember(self) {
        let _ = LocalStorage::set(LANG_KEY, self);
    }

    /// The value for the `lang` attribute of `<html>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

macro_rules! keys {
    ($($key:ident => $zh:literal, $en:literal;)*) => {
        /// A UI string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($key,)* }

        impl Key {
            /// Every key, for checks that no text is missing.
            pub const ALL: &[Key] = &[$(Key::$key,)*];
        }

        /// The text of `key` in `lang`.
        pub fn t(lang: Lang, key: Key) -> &'static str {
            match (lang, key) {
                $((Lang::Zh, Key::$key) => $zh, (Lang::En, Key::$key) => $en,)*
            }
        }
    };
}

keys! {
    AppName => "红领认证", "Red Collar";
    Online => "在线", "Online";
    Offline => "离线", "Offline";
    Pending => "待同步", "Waiting";
    LastSync => "上次同步", "Last sync";
    NeverSynced => "尚未同步", "Never synced";
    SyncNow => "立即同步", "Sync now";
    Syncing => "同步中…", "Syncing…";
    SyncFailed => "同步失败", "Sync failed";
    SyncRejected => "条变更被服务器退回，数据已保留", "change(s) refused by the server; your data is kept";
    NavWorkers => "人员", "People";
    NavSettings => "设置", "Settings";
    Workers => "党务工作者", "Party-affairs workers";
    WorkersCount => "人", "people";
    Search => "搜索姓名、单位或乡镇（街道）", "Search name, organisation or township";
    AddWorker => "新增党务工作者", "Add a worker";
    EditWorker => "编辑党务工作者", "Edit worker";
    NoWorkers => "还没有党务工作者。点击“新增党务工作者”录入第一位；联网后点击“立即同步”获取已有名单。", "No workers yet. Tap “Add a worker” to enter the first one; when online, tap “Sync now” to fetch the existing list.";
    NoMatch => "没有符合条件的人员，请换个关键词。", "Nobody matches; try another search.";
    Name => "姓名", "Name";
    Township => "乡镇（街道）", "Township";
    Organization => "单位", "Organisation";
    Role => "类别", "Category";
    RoleSecretary => "党组织书记", "Party secretary";
    RoleInstructor => "党建工作指导员", "Party-building instructor";
    ManagementPost => "管理职务", "Management post";
    ManagementPostHint => "如：副总经理；没有可不填", "e.g. deputy general manager; leave empty if none";
    YearsInPost => "任职年限（年）", "Years in post";
    Required => "必填", "required";
    ChooseTownship => "请选择乡镇（街道）", "Choose a township";
    ChooseOrganization => "请选择单位", "Choose an organisation";
    ChooseTownshipFirst => "请先选择乡镇（街道）", "Choose a township first";
    NoOrganizations => "本设备还没有单位名单，请联网后同步", "No organisations on this device yet; sync when online";
    Save => "保存", "Save";
    Saving => "正在保存…", "Saving…";
    Saved => "已保存到本设备", "Saved on this device";
    Cancel => "取消", "Cancel";
    NotFoundWorker => "找不到这位党务工作者", "Worker not found";
    NoPost => "无", "none";
    Years => "年", "yr";
    LocalOnly => "未同步", "not synced";
    Settings => "设置", "Settings";
    Language => "语言", "Language";
    Account => "账号", "Account";
    Device => "设备编号", "Device";
    Logout => "退出登录", "Log out";
    LogoutBlocked => "本设备还有未同步或被退回的变更，退出会丢失它们。请联网同步、处理“待处理”，或先导出备份。", "This device holds changes not yet synced or refused; logging out would lose them. Sync, deal with “To do”, or export a backup first.";
    ExportAndLogout => "导出备份并退出", "Export a backup and log out";
    ExportBackup => "导出备份", "Export a backup";
    ImportBackup => "导入备份", "Import a backup";
    ImportBackupHint => "把其他设备导出的备份文件中的变更放回本设备，联网后同步。", "Put the changes of a backup file from another device back on this one; they sync when online.";
    Imported => "已导入", "Imported";
    ImportQueued => "条待同步", "to sync";
    ImportKept => "条进入待处理", "to To do";
    BadBackup => "不是有效的红领认证备份文件", "Not a valid backup file";
    BackupPassphrase => "备份口令", "Backup passphrase";
    BackupPassphraseAgain => "再次输入口令", "Passphrase again";
    BackupPassphraseHint => "备份文件用此口令加密（含身份证号等未同步的内容）。导入时须输入同一口令；口令遗失则无法打开备份，请另行妥善保管。至少 8 个字符。", "The backup is encrypted with this passphrase (it holds unsynced data such as ID-card numbers). Importing asks for the same passphrase; a lost passphrase cannot be recovered, so keep it safe. At least 8 characters.";
    BackupSeal => "加密并导出", "Encrypt and export";
    BackupSealing => "正在加密…", "Encrypting…";
    PassphraseMismatch => "两次输入的口令不一致", "The two passphrases differ";
    PassphraseTooShort => "口令至少需要 8 个字符", "The passphrase needs at least 8 characters";
    ImportOpen => "解密并导入", "Decrypt and import";
    ImportOpening => "正在解密…", "Decrypting…";
    WrongPassphrase => "口令不正确，请重新输入", "Wrong passphrase; try again";
    LoggingOut => "正在同步后退出…", "Syncing, then logging out…";
    Backup => "备份", "Backup";
    OfflineUntil => "离线可用至", "Usable offline until";
    DraftRestored => "已恢复上次未保存的内容", "Restored what you had not saved";
    DraftNoIdCard => "（身份证号不随草稿保存，如需登记请重新输入）", "(the ID-card number is never kept in a draft: type it again if needed)";
    NavAccounts => "账号", "Accounts";
    NavApplications => "申请", "Applications";
    NavQueue => "待办", "To review";
    NavNotices => "公示", "Notices";
    NavVerify => "验证", "Verify";
    Applications => "认证申请", "Applications";
    ApplicationsCount => "份", "applications";
    NewApplication => "新建申请", "New application";
    NoApplications => "还没有认证申请。指导员可点“新建申请”为党务工作者申报。", "No applications yet. An instructor files one with “New application”.";
    AllStages => "全部", "All";
    Queue => "待办", "To review";
    QueueEmpty => "没有等待您审核的申请", "Nothing waits for your review";
    QueueHint => "最早的在前", "Oldest first";
    Worker => "党务工作者", "Worker";
    ChooseWorker => "请选择党务工作者", "Choose a worker";
    Batch => "认证批次", "Batch";
    ChooseBatch => "请选择批次", "Choose a batch";
    NoBatch => "没有与该类别相符的开放批次", "No open batch of this category";
    RequestedGrade => "申请等级", "Grade applied for";
    FiveFactors => "五维评价", "Five-factor assessment";
    FactorPolitical => "政治素质", "Political quality";
    FactorProfessional => "业务水平", "Professional level";
    FactorTenure => "任职年限", "Years in post";
    FactorPerformance => "工作实绩", "Work results";
    FactorRecognition => "认可程度", "Recognition";
    RatingExcellent => "优秀", "Excellent";
    RatingGood => "良好", "Good";
    RatingPass => "合格", "Pass";
    RatingFail => "不合格", "Fail";
    Background => "背景审查", "Background check";
    CheckEthics => "职业道德", "Professional ethics";
    CheckAbility => "业务能力", "Ability";
    CheckHonours => "荣誉表彰", "Honours";
    CheckPassed => "通过", "Passed";
    CheckFailed => "未通过", "Failed";
    Notes => "说明", "Notes";
    SubmitApplication => "提交申请", "Submit application";
    ResubmitApplication => "修改后重新提交", "Change and resubmit";
    Round => "第 {} 轮", "Round {}";
    Decide => "审核", "Review";
    Approve => "通过", "Approve";
    ReturnForChanges => "退回修改", "Return for changes";
    Reject => "不通过", "Reject";
    Comment => "意见", "Comment";
    CommentHint => "退回或不通过时必填", "Required to return or reject";
    ReviewHistory => "审核记录", "Review history";
    NoDecisions => "尚无审核记录", "No decisions yet";
    AwaitingIssueNote => "已通过公示，待发证：联网同步后由服务器编号、签名并发证。", "Passed the notice; the server numbers, signs and issues the certificate at the next sync.";
    ViewCertificate => "查看证书", "View certificate";
    Objections => "公示异议", "Objections";
    RecordObjection => "登记异议并退回综合研判", "Record objection and send back";
    ObjectionHint => "异议内容", "What was objected";
    Notices => "公示", "Public notices";
    AwaitingNotice => "待公示", "Awaiting notice";
    OpenNotice => "发布公示", "Publish notice";
    StartsOn => "公示开始日期", "Notice starts on";
    OpenNotices => "公示中", "On notice";
    EndsOn => "公示截止", "Notice ends";
    CloseNotice => "结束公示并发证", "End notice and issue";
    ClosedOn => "结束日期", "Ended on";
    NothingAwaitingNotice => "没有待公示的申请", "Nothing awaits notice";
    NoOpenNotices => "没有进行中的公示", "No notice is running";
    Certificate => "红领资格证", "Red Collar certificate";
    Print => "打印", "Print";
    CertNumber => "证书编号", "Number";
    Holder => "持证人", "Holder";
    Category => "类别", "Category";
    Grade => "等级", "Grade";
    IssuedOn => "发证日期", "Issued on";
    ValidUntil => "有效期至", "Valid until";
    CertStatusLabel => "状态", "Status";
    IssuedBy => "中共亳州市谯城区委非公有制经济组织和社会组织工作委员会", "Qiaocheng District Committee for the Non-public Sector";
    NotFoundCertificate => "本设备上没有这张证书", "This certificate is not on this device";
    Verify => "验证证书", "Verify a certificate";
    VerifyHint => "扫描证书二维码，或粘贴其内容", "Scan the certificate's QR code, or paste its text";
    VerifyButton => "验证", "Verify";
    VerifyOk => "签名有效：此证书由区委非公工委签发", "Valid signature: issued by the district committee";
    StatusUnknown => "状态列表中没有此证书，请联网同步后再查", "Not in the status list on this device; sync and check again";
    VerifyDemo => "演示证书：此证书由演示环境签发，只用于演示，不是真实的红领资格证", "Demo certificate: signed by a demo server, for demonstration only; not a real certificate";
    AsOfSync => "状态截至上次同步：", "Status as of the last sync: ";
    Accounts => "账号与权限", "Accounts and grants";
    NeedsNetwork => "此功能需要联网。", "This needs a network connection.";
    SecurityLog => "安全日志", "Security log";
    SecurityLogHint => "登录、密码、权限、停用与启用、设备吊销、导入导出和备份，谁在何时从何处操作。至少保存 180 天。", "Logins, passwords, grants, disabling and enabling, device revocations, imports, exports and backups: who did what, when and from where. Kept at least 180 days.";
    SecurityLogEmpty => "还没有记录。", "Nothing recorded yet.";
    SecurityLogMore => "更早的记录", "Older lines";
    SecurityLogExport => "导出 CSV", "Export CSV";
    SecurityLogWhen => "时间", "When";
    SecurityLogEvent => "事件", "Event";
    SecurityLogActor => "操作人", "By";
    SecurityLogSubject => "对象", "On";
    SecurityLogAddress => "地址", "Address";
    SecurityLogDetail => "说明", "Detail";
    Recovery => "恢复核对", "Recovery check";
    RecoveryHint => "服务器从备份恢复后，各平板重新发送了备份之后的变更。下列变更的结果与当时不同，或需要重新录入完整身份证号，请逐条核对处理。", "The server was restored from a backup and the tablets sent again what they did since. The changes below now have another outcome than their users saw, or need the full ID-card number typed again: check each.";
    RecoveryEmpty => "没有需要核对的变更。", "Nothing to check.";
    RecoveryOutcome => "结果", "Outcome";
    RecoverySaved => "已保存", "saved";
    RecoveryRefused => "被退回", "refused";
    RecoveryRetypeIdCard => "需重新录入完整身份证号（平板不保存完整号码）", "Type the full ID-card number again (tablets never keep it)";
    RecoveryOpen => "打开", "Open";
    NewAccount => "新建账号", "New account";
    DisplayName => "姓名", "Name";
    Create => "创建", "Create";
    Grants => "权限", "Grants";
    AddGrant => "添加权限", "Add grant";
    WholeDistrict => "全区", "Whole district";
    Disabled => "已停用", "Disabled";
    DisableAccount => "停用账号", "Disable account";
    EnableAccount => "启用账号", "Enable account";
    ResetPassword => "重置密码", "Reset password";
    NewPassword => "新密码（至少 12 位）", "New password (12+ characters)";
    Devices => "设备", "Devices";
    RevokeDevice => "停用此设备", "Revoke this device";
    Revoked => "已停用", "Revoked";
    Done => "已完成", "Done";
    Remove => "移除", "Remove";
    History => "修改记录", "History";
    Applied => "已生效", "Applied";
    MadeBy => "原由", "made by";
    EndedSession => "登录已结束", "Your session has ended";
    EndedSessionText => "登录已结束（已在别处退出、长期未使用或已过期）。本设备上的数据都还在，请重新登录后继续。", "Your session ended (logged out elsewhere, unused for long, or expired). Everything on this device is still here: log in again to go on.";
    EndedPassword => "密码已修改", "Your password was changed";
    EndedPasswordText => "账号密码已在别处修改或被重置。本设备上的数据都还在，请用新密码重新登录后继续。", "Your password was changed elsewhere or reset. Everything on this device is still here: log in with the new password to go on.";
    EndedDisabled => "账号已停用", "Your account is disabled";
    EndedDisabledText => "区委非公工委已停用此账号，本设备不能再同步。本设备上的数据都还在：请导出未同步的变更，交给区委非公工委在其他设备上导入，然后可删除本机数据。", "The district committee disabled this account, so this device can no longer sync. Everything on it is still here: export the unsynced changes for the committee to import elsewhere, then you may remove the local data.";
    EndedRevoked => "本设备已停用", "This device was revoked";
    EndedRevokedText => "区委非公工委已停用本设备，它不能再同步。本设备上的数据都还在：请导出未同步的变更，交给区委非公工委在其他设备上导入，然后可删除本机数据。", "The district committee revoked this device, so it can no longer sync. Everything on it is still here: export the unsynced changes for the committee to import elsewhere, then you may remove the local data.";
    UnsyncedChanges => "未同步的变更", "Unsynced changes";
    ExportUnsynced => "导出未同步的变更", "Export the unsynced changes";
    Exported => "备份文件已导出。请妥善保管文件和口令。", "The backup file was exported. Keep the file and its passphrase safe.";
    RemoveLocalData => "删除本机数据", "Remove the local data";
    RemoveLocalDataHint => "未同步的变更须先导出，删除后无法找回。", "Export the unsynced changes first: removed data cannot be recovered.";
    ConfirmRemoveLocalData => "确认删除：本设备上的全部数据将被清除", "Confirm: everything on this device will be removed";
    LogInAgain => "重新登录", "Log in again";
    AnotherAccount => "该用户名现属于另一个账号，本设备上的数据不属于它。请导出未同步的变更。", "That username now belongs to another account, and the data on this device is not its own. Export the unsynced changes.";
    OnDevice => "在设备", "on device";
    SentFromBackup => "录入，经备份导入后由本账号发送", "and sent from this account after a backup import";
    RoleDistrictCommittee => "区委非公工委", "District committee";
    RoleDistrictReviewer => "区级联审", "District joint review";
    RoleTownshipReviewer => "乡镇初审", "Township review";
    RoleGuidanceStation => "党建工作指导站", "Guidance station";
    RoleInstructorGrant => "党建工作指导员", "Instructor";
    RoleSupervisor => "督察专员", "Supervisor";
    RoleContestAdmin => "比赛管理员", "Contest admin";
    RoleJudge => "评委", "Judge";
    RoleWorker => "党务工作者", "Party-affairs worker";
    GraceExpired => "离线使用期限已到：请联网后点击“立即同步”。本设备上的数据都还在。", "The offline period is over: go online and tap “Sync now”. Everything on this device is kept.";
    ChangePassword => "修改密码", "Change password";
    ChangePasswordFirst => "此密码由他人设置，请先设置只有您知道的新密码。", "Someone else set this password: set one that only you know first.";
    OldPassword => "原密码", "Current password";
    RepeatPassword => "再输入一次新密码", "New password again";
    PasswordsDiffer => "两次输入的新密码不一致", "The two new passwords differ";
    PasswordChanged => "密码已修改，其他设备上的登录已结束", "Password changed; other devices were logged out";
    DemoRibbon => "演示环境：数据和证书都是演示用的", "Demo: data and certificates are for demonstration only";
    InsecureTitle => "此地址不能使用", "This address cannot be used";
    InsecureBody => "此地址未加密（不是 https），平板无法离线保存数据，也不能使用摄像头扫码。在这里录入的内容会留在这个地址，不会同步。请改用下面的 https 地址：", "This address is not encrypted (not https): the tablet cannot keep data offline or use the camera, and anything typed here would be stranded. Use the https address below:";
    InsecureNoUrl => "请向区里的信息管理员要本系统的 https 地址。", "Ask the district's IT person for the https address of this system.";
    InsecureInstall => "首次使用：安装证书", "First time: install the certificate";
    Login => "登录", "Log in";
    Username => "用户名", "Username";
    Password => "密码", "Password";
    LoginNeedsNetwork => "首次登录需要联网", "The first login needs a network connection";
    LoggingIn => "正在登录…", "Logging in…";
    UpdateAvailable => "新版本可用，点击更新", "A new version is available: tap to update";
    StorageUsed => "本设备已用存储", "Storage used on this device";
    PersistGranted => "浏览器已允许持久保存数据", "The browser keeps this data persistently";
    PersistNotGranted => "浏览器未承诺持久保存数据，请勿清除浏览数据", "The browser may evict data; do not clear browsing data";
    NotFoundPage => "页面不存在", "Page not found";
    BackHome => "返回首页", "Back to start";
    ErrorNetwork => "无法连接服务器，请检查网络后重试", "Cannot reach the server; check the network and try again";
    ErrorStorage => "本设备存储出错，数据未保存：", "Storage error on this device; nothing was saved: ";
    Rejected => "已退回", "Refused";
    NavInbox => "待处理", "To do";
    Inbox => "待处理：被服务器退回的变更", "To do: changes the server refused";
    InboxHint => "这些变更没有生效，数据仍保存在本设备。请修改后重新提交，或确认放弃。", "These changes did not take effect; the data is still on this device. Fix and resubmit, or discard on purpose.";
    InboxEmpty => "没有被退回的变更。", "No refused changes.";
    DuplicateIdCards => "身份证号重复", "Duplicate ID-card numbers";
    DuplicateIdCardsHint => "下列党务工作者登记了与他人相同的身份证号（录入时未提示录入人）。请核对后在其中一人的资料中更正身份证号；更正后此项自动消失。", "These workers were given an ID-card number another worker already holds (the person entering it was not told). Check, then correct the number on one of them; the item goes once corrected.";
    DuplicateOf => "与以下人员相同：", "Same as: ";
    RefusedBecause => "服务器退回：", "Refused by the server: ";
    FixAndResubmit => "修改后重新提交", "Fix and resubmit";
    Discard => "放弃", "Discard";
    ConfirmDiscard => "确认放弃（不可恢复）", "Really discard (cannot be undone)";
    EnteredAt => "录入于", "Entered";
    Retrying => "秒后重试", "s until retry";
    PushingProgress => "正在上传", "Uploading";
    PullingProgress => "正在下载", "Downloading";
    UploadingProgress => "正在上传附件", "Uploading attachments";
    IdCard => "身份证号", "ID card number";
    NavProgramme => "认证", "Programme";
    NavStipends => "津贴", "Stipends";
    ImportExport => "导入导出", "Import and export";
    Recommendations => "推优推先", "Recommendations";
    Honours => "荣誉表彰", "Honours";
    MyCertificates => "我的证书", "My certificates";
    NoCertificates => "还没有红领资格证", "No certificate yet";
    HonourTitle => "荣誉名称，如 市级先进基层党组织", "Name of the honour";
    AddHonour => "登记荣誉", "Add honour";
    Correct => "更正", "Correct";
    Correcting => "正在更正一条荣誉：保存后原记录被新记录取代", "Correcting an honour: the new record replaces the old one";
    SaveCorrection => "保存更正", "Save correction";
    NavPool => "培育库", "Pool";
    Pool => "培育库", "Talent pool";
    PoolCriteria => "入选标准", "Entry criteria";
    NoCriteria => "区委非公工委尚未发布入选标准", "The committee has not published the criteria yet";
    PublishCriteria => "发布入选标准", "Publish criteria";
    SearchPinyin => "搜索姓名或拼音首字母，如 zhm", "Search by name or pinyin initials";
    AllTownships => "全部乡镇（街道）", "All townships";
    AllCategories => "全部类别", "All categories";
    AllGrades => "全部等级", "All grades";
    NotCertified => "未认证", "Not certified";
    AllStatuses => "全部状态", "All statuses";
    Admit => "同意入库", "Admit";
    Decline => "不予入库", "Decline";
    NotAdmittedComment => "暂不符合入选标准", "Does not meet the criteria yet";
    ApplyForPool => "申请入库", "Apply for the pool";
    PoolReason => "推荐理由", "Why";
    AddRecommendation => "登记推优推先", "Record a recommendation";
    Reissue => "挂失补发", "Report lost and reissue";
    ReissueReason => "补发原因，如：本人遗失，已登报声明", "Why it is reissued";
    ReissueQueued => "已登记：原证书作废，联网同步后由服务器补发新证书", "Recorded: the old certificate is void; the server issues a new one at the next sync";
    Organizations => "单位", "Organisations";
    ChooseFile => "选择 Excel 或 CSV 文件", "Choose an Excel or CSV file";
    ExportOrganizations => "导出单位（Excel）", "Export organisations (Excel)";
    ExportWorkers => "导出党务工作者（Excel）", "Export workers (Excel)";
    ConfirmImport => "确认导入", "Import";
    Stipends => "岗位津贴", "Monthly stipends";
    ExportCsv => "导出 CSV", "Export CSV";
    ExportXlsx => "导出 Excel", "Export Excel";
    StipendRule => "按当月持证等级的天数折算，以分为单位四舍五入。", "Prorated by the days held at each grade, rounded half up to the fen.";
    ProgrammeSettings => "认证设置", "Programme settings";
    GradesAndStipends => "等级与岗位津贴", "Grades and monthly stipends";
    AddGrade => "增加等级", "Add a grade";
    RemoveGrade => "删除最高等级", "Remove the top grade";
    NoticeWorkingDays => "公示期（工作日）", "Notice length (working days)";
    ValidityYears => "证书有效期（年）", "Certificate validity (years)";
    Holidays => "法定节假日（逗号分隔，如 2026-10-01）", "Public holidays (comma-separated)";
    ExtraWorkdays => "调休上班日（周末上班，逗号分隔）", "Weekend working days (comma-separated)";
    Batches => "认证批次", "Batches";
    BatchNameHint => "批次名称，如 2026年第二批", "Batch name";
    CreateBatch => "设立批次", "Open batch";
    CloseBatch => "截止申报", "Close to applications";
    BatchClosed => "已截止", "Closed";
    IdCardOnRecord => "已登记：", "On record:";
    IdCardChangeHint => "如需更正，请输入新的身份证号", "Type a new number to correct it";
    Photo => "照片", "Photo";
    ChoosePhoto => "拍照或选择照片", "Take or choose a photo";
    RemovePhoto => "移除照片", "Remove photo";
    PhotoTooLarge => "照片不能超过 10 MB，请换一张或压缩后再选", "The photo must be 10 MB or less";
    PhotoUnreadable => "无法保存这张照片：", "Could not keep this photo: ";
    PhotoNotHere => "照片尚未下载到本设备，联网后自动显示", "The photo is not on this device yet; it shows once online";
    PhotoMaxKib => "现场照片压缩上限（KB）", "Site photo size limit (KB)";
    SitePhotos => "现场照片", "Site photos";
    AddPhotos => "拍照或添加照片", "Take or add photos";
    Compressing => "正在压缩照片…", "Compressing photos…";
    PhotoLimit => "每张压缩到不超过 ", "Each is compressed to at most ";
    TooManyPhotos => "照片太多，最多可添加 ", "Too many photos; the most allowed is ";
    NewVisit => "记录走访", "Record a visit";
    DiscardDraft => "放弃草稿", "Discard draft";
    VisitDate => "走访日期", "Visit date";
    PeopleMet => "接谈人员", "People met";
    VisitNotes => "走访记录", "Notes";
    DutyAssessment => "日常履职考核", "Duty assessment";
    AssessHint => "对本单位持证党务工作者逐项评价本季度清单任务；不评价的人员可留空。", "Rate each certified worker here against this quarter's tasks; leave blank to skip someone.";
    NoTasksThisQuarter => "本季度尚未下达清单任务", "No tasks were set for this quarter";
    OverallResult => "总体评价", "Overall result";
    AssessComment => "考核意见", "Comment";
    RateEveryTask => "请为每项任务评分：", "Rate every task for ";
    Visits => "走访记录", "Visits";
    NoVisits => "还没有走访记录。", "No visits yet.";
    Trainings => "红领学院", "Training";
    NewTraining => "新建培训", "New session";
    NoTrainings => "还没有培训。", "No sessions yet.";
    TrainingKind => "培训类型", "Kind";
    TrainingTitle => "培训主题", "Title";
    TrainingDate => "培训日期", "Date";
    TrainingPlace => "培训地点", "Place";
    TrainingHours => "学时", "Hours";
    Trainer => "授课人", "Trainer";
    HoursInvalid => "学时须为数字，最多一位小数（如 3.5）", "Hours must be a number with at most one decimal (such as 3.5)";
    Attended => "已到", "Attended";
    Compliance => "年度参训情况", "Yearly compliance";
    CameraUnavailable => "无法打开摄像头：", "Cannot open the camera: ";
    RollCall => "签到", "Roll call";
    SearchNameOrInitials => "搜索姓名或拼音首字母", "Search name or pinyin initials";
    MarkPresent => "出勤", "Present";
    MarkLate => "迟到", "Late";
    MarkAbsent => "缺勤", "Absent";
    MarkFilteredPresent => "将筛选出的人员全部记为出勤", "Mark everyone listed as present";
    ScanToCheckIn => "扫码签到", "Scan to check in";
    StopScanning => "停止扫码", "Stop scanning";
    CheckedIn => "已签到：", "Checked in: ";
    CheckInRefused => "不能签到：", "Cannot check in: ";
    CertNotValid => "证书不是有效状态", "the certificate is not valid";
    CertUnknownHere => "本设备上没有这张证书，请联网同步后再试", "this certificate is not on this device; sync and try again";
    NotTrainedYet => "今年尚未参训", "Not trained this year";
    TrainedCount => "已参训", "Trained";
    HoldersCount => "持证人数", "Holders";
    EveryoneTrained => "全部持证人员今年均已参训。", "Every holder has trained this year.";
    Year => "年度", "Year";
    TrainingLog => "培训记录", "Training log";
    GradeChain => "等级与年审记录", "Grades and decisions";
    NoTrainingYet => "暂无培训记录", "No training yet";
    Mentoring => "导师帮带", "Mentoring";
    Mentors => "红领导师团", "Mentor group";
    AppointMentor => "聘任导师", "Appoint a mentor";
    Mentees => "帮带对象", "Mentees";
    AddPair => "结对", "Pair";
    EndPair => "结束帮带", "End pairing";
    PairStart => "开始日期", "Start";
    PairEnd => "结束日期", "End";
    MenteeRangeLow => "帮带对象少于 3 人", "fewer than 3 mentees";
    MenteeRangeHigh => "帮带对象多于 5 人", "more than 5 mentees";
    Studios => "导师工作室", "Mentor studios";
    StudioName => "工作室名称", "Studio name";
    Subsidy => "年度补贴（元）", "Yearly subsidy (yuan)";
    AddStudio => "设立工作室", "Open a studio";
    SubsidyInvalid => "补贴金额格式不正确（单位元，最多两位小数）", "The subsidy must be an amount in yuan with at most two decimals";
    ActivityLog => "帮带活动记录", "Mentoring activities";
    LogActivity => "记录活动", "Log an activity";
    ActivitySummary => "活动内容", "What was done";
    Mentor => "导师", "Mentor";
    Mentee => "帮带对象", "Mentee";
    Date => "日期", "Date";
    Inspections => "年度审核", "Annual inspection";
    Disapprove => "不同意", "Decline";
    Suggestion => "系统建议", "Suggestion";
    Reasons => "依据", "Reasons";
    OutcomeKeep => "保持", "Keep";
    OutcomePromote => "晋级", "Promote";
    OutcomeDowngrade => "降级", "Downgrade";
    OutcomeRevoke => "取消", "Revoke";
    Decided => "已审定：", "Decided: ";
    InspectionNote => "审核意见", "Note";
    Promotions => "晋级申请", "Promotion requests";
    RequestPromotion => "申请晋级", "Request promotion";
    NoneToInspect => "本年度没有待审核的证书。", "No certificates to inspect this year.";
    Tasks => "季度清单任务", "Quarterly tasks";
    Quarter => "季度", "Quarter";
    OrgKind => "单位类型", "Kind of organisation";
    TasksHint => "每行一项任务", "One task per line";
    MyTasks => "本季度我的任务", "My tasks this quarter";
    Dashboard => "指标看板", "Dashboard";
    DownloadCsv => "导出 CSV", "Download CSV";
    Field => "外勤", "Field";
    NavField => "外勤", "Field";
    NavInspections => "年审", "Inspection";
    NavDashboard => "看板", "Dashboard";
    ScanCertificate => "扫描证书二维码", "Scan a certificate QR";
    Contests => "红领实训比赛", "Contests";
    NavContests => "比赛", "Contests";
    NewContest => "新建比赛", "New contest";
    NoContests => "还没有比赛。", "No contests yet.";
    ContestantsCount => "名选手", "contestants";
    Published => "已公布", "Published";
    ContestTitle => "比赛名称", "Contest title";
    Venue => "比赛地点", "Venue";
    Rubric => "评分细则", "Rubric";
    Criterion => "评分项", "Criterion";
    MaxPoints => "满分", "Maximum";
    Weight => "权重", "Weight";
    Step => "步长", "Step";
    TieBreak => "同分比较", "Tie-break";
    TieBreakHint => "勾选的评分项用于同分时依次比较（按表中顺序）；仍相同则并列。", "Ticked criteria break ties in table order; still equal means a shared rank.";
    TrimFrom => "评委人数达到此数时去掉一个最高分和一个最低分", "Drop the highest and lowest from this panel size";
    TrimFromInvalid => "去掉最高最低分的评委人数应为 3 至 50 的整数", "The panel size for dropping must be a whole number from 3 to 50";
    RubricInvalid => "评分项的满分、权重或步长不是有效数字：", "A maximum, weight or step is not a number: ";
    Judges => "评委", "Judges";
    Judge => "评委", "Judge";
    JudgesNeedNetwork => "评委名单需联网获取。", "The judge roster needs the network.";
    Retry => "重试", "Retry";
    Contestants => "选手", "Contestants";
    Contestant => "选手", "Contestant";
    BigScreen => "现场亮分大屏", "Big screen";
    Results => "比赛结果", "Results";
    MySheets => "我的评分表", "My score sheets";
    MyRanking => "我的评分排名（仅含本人评分）", "My ranking (my marks only)";
    SheetNotStarted => "未开始", "Not started";
    SheetDraft => "草稿", "Draft";
    SheetSigned => "已签名（待同步）", "Signed (to sync)";
    SheetSynced => "已同步", "Synced";
    LiveRanking => "实时排名", "Live ranking";
    DrawLots => "抽签确定出场顺序", "Draw the running order";
    Rank => "名次", "Rank";
    FinalScore => "最后得分", "Final score";
    MissingSheets => "未交评分表", "Sheets missing";
    Provisional => "（暂定）", "(provisional)";
    Absent => "缺赛", "Absent";
    Publish => "确认并公布结果", "Confirm and publish";
    PublishConfirm => "公布后结果不可更改。确认公布？", "Published results cannot change. Publish now?";
    SignedSheets => "已签名的评分表", "Signed sheets";
    ReopenReason => "重新开启的原因（必填）", "Reason for re-opening (required)";
    Revision => "版本", "revision";
    Reopen => "重新开启", "Re-open";
    Recusal => "评委回避", "Recusals";
    Recuse => "登记回避", "Record recusal";
    Substitute => "替补评委", "Substitute judge";
    SubstituteJudge => "替补评委", "Substitute";
    JudgeAbsent => "评委缺席（无替补）", "Judge absent (no substitute)";
    SheetLockedHint => "已签名提交，评分已锁定；如需更正，请联系比赛管理员重新开启。", "Signed and locked; ask the contest administrator to re-open it for a correction.";
    MarkNotANumber => "请输入数字，最多两位小数", "Type a number with at most two decimals";
    SignConfirm => "签名提交后不能再修改。确认提交？", "A signed sheet cannot be changed. Sign now?";
    SignAndSubmit => "签名提交", "Sign and submit";
    NextContestant => "下一位选手", "Next contestant";
    BackToList => "返回列表", "Back to the list";
    Total => "合计", "Total";
    WaitingForSheets => "等待评委评分…", "Waiting for the judges…";
    NotPublishedYet => "比赛结果尚未公布。", "The results are not published yet.";
    DownloadXlsx => "导出 Excel", "Download Excel";
    DroppedNote => "划线的分数为去掉的最高分和最低分。", "Struck-through totals are the dropped highest and lowest.";
}

/// The label of a role.
pub fn role_key(role: hongling_core::Role) -> Key {
    use hongling_core::Role;
    match role {
        Role::DistrictCommittee => Key::RoleDistrictCommittee,
        Role::DistrictReviewer => Key::RoleDistrictReviewer,
        Role::TownshipReviewer => Key::RoleTownshipReviewer,
        Role::GuidanceStation => Key::RoleGuidanceStation,
        Role::Instructor => Key::RoleInstructorGrant,
        Role::Supervisor => Key::RoleSupervisor,
        Role::ContestAdmin => Key::RoleContestAdmin,
        Role::Judge => Key::RoleJudge,
        Role::Worker => Key::RoleWorker,
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    fn every_key_has_chinese_and_english_text() {
        for &key in Key::ALL {
            let zh = t(Lang::Zh, key);
            let en = t(Lang::En, key);
            assert!(
                !zh.is_empty() && !en.is_empty(),
                "{key:?} has an empty text"
            );
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{key:?} is not Chinese: {zh}"
            );
            assert!(
                en.is_ascii() || en.contains('…') || en.contains('“'),
                "{key:?} is not English: {en}"
            );
        }
        assert_eq!(t(Lang::Zh, Key::SyncNow), "立即同步");
        assert_eq!(t(Lang::Zh, Key::UpdateAvailable), "新版本可用，点击更新");
    }
}
