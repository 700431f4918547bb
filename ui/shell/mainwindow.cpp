#include "shell/mainwindow.h"

#include "admin/policiestab.h"
#include "admin/runtimestab.h"
#include "application/auditservice.h"
#include "approvals/requestevents.h"
#include "approvals/requestservice.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "audit/auditnames.h"
#include "audit/audittab.h"
#include "audit/auditwatcher.h"
#include "audit/checkpointsigner.h"
#include "common/labelaccessible.h"
#include "common/messagelabel.h"
#include "common/riskbadge.h"
#include "history/historytab.h"
#include "queue/queuetab.h"
#include "queue/requestqueuemodel.h"
#include "shell/appearance.h"
#include "shell/appicon.h"
#include "shell/changepassphrasedialog.h"
#include "shell/lockscreen.h"
#include "shell/sessioncontroller.h"
#include "shell/uisettings.h"
#include "shell/windowfit.h"
#include "team/memberstab.h"
#include "vault/vault.h"

#include <QAbstractItemView>
#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFontDatabase>
#include <QFormLayout>
#include <QFrame>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QVBoxLayout>

#include <array>
#include <optional>

namespace countersign::ui {

namespace {

/// Tab moves between controls, never between the cells of a table (arrows do that), and read-only
/// text passes Tab on: every control stays reachable from the keyboard.
void letTabLeave(QWidget* root)
{
    for (QAbstractItemView* view : root->findChildren<QAbstractItemView*>())
        view->setTabKeyNavigation(false);
    for (QPlainTextEdit* text : root->findChildren<QPlainTextEdit*>()) {
        if (text->isReadOnly())
            text->setTabChangesFocus(true);
    }
}

QLabel* valueLabel(const QString& objectName, const QString& accessibleName, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setWordWrap(true);
    return label;
}

const QString& OWNER_MEMBER = SessionController::OWNER_MEMBER;
const QString& OWNER_ACTOR = SessionController::OWNER_ACTOR;

} // namespace

MainWindow::MainWindow(SessionController& session, QWidget* parent)
    : QMainWindow(parent)
    , m_session(session)
{
    installLabelAccessibility();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Countersign"));
    setWindowIcon(appIcon());
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setAccessibleName(tr("Sections"));
    m_tabs->tabBar()->setAccessibleName(tr("Sections"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createVaultTab(), tr("Vau&lt"));
    m_lockScreen = new LockScreen(this);
    // Only the tab shown counts towards the window's minimum size, and a tab taller than the
    // window scrolls: the window fits a small or scaled screen whatever the other tabs hold.
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::sizeTabsToCurrent);
    m_tabsScroll = new QScrollArea(this);
    m_tabsScroll->setObjectName(QStringLiteral("tabsScroll"));
    m_tabsScroll->setFocusPolicy(Qt::NoFocus);
    m_tabsScroll->setFrameShape(QFrame::NoFrame);
    m_tabsScroll->setWidgetResizable(true);
    m_tabsScroll->setWidget(m_tabs);
    m_stack = new QStackedWidget(this);
    // The desk: what stops runtimes from reaching the approver, above everything else.
    m_desk = new QWidget(this);
    m_desk->setObjectName(QStringLiteral("desk"));
    auto* deskLayout = new QVBoxLayout(m_desk);
    deskLayout->setContentsMargins(0, 0, 0, 0);
    deskLayout->setSpacing(0);
    deskLayout->addWidget(createEndpointBanner());
    deskLayout->addWidget(m_tabsScroll, 1);
    m_stack->addWidget(m_desk);
    m_stack->addWidget(m_lockScreen);
    setCentralWidget(m_stack);
    connect(m_lockScreen, &LockScreen::unlockRequested, this, [this](const QString& text) { (void)unlock(text); });
    createMenus();
    createTray();
    // Idle locking: any keyboard or mouse input anywhere in the app counts as presence.
    qApp->installEventFilter(this);
    setIdleTimeout(std::chrono::minutes(UiSettings::idleLockMinutes()));
    m_endpointStatus = new QLabel(tr("Endpoint not running"), this);
    m_endpointStatus->setObjectName(QStringLiteral("endpointStatus"));
    m_endpointStatus->setAccessibleName(tr("Endpoint status"));
    statusBar()->addPermanentWidget(m_endpointStatus);
    statusBar()->showMessage(tr("Vault unlocked"), 5000);
    if (!restoreGeometry(UiSettings::mainWindowGeometry()))
        resize(1100, 720); // fitToScreen() below makes it fit a smaller screen
    restoreState(UiSettings::mainWindowState());
    // A saved or default size may not fit this screen (another monitor, a larger scale factor):
    // the window never opens with Approve and Deny off-screen.
    fitToScreen();
    // The window follows the session: its services come and go around a re-key, the endpoint
    // starts or fails, the vault changes, the session locks.
    connect(&m_session.events(), &approvals::RequestEvents::requestCreated, this, &MainWindow::onRequestCreated);
    connect(&m_session, &SessionController::servicesClosing, this, &MainWindow::closeTabs);
    connect(&m_session, &SessionController::servicesOpened, this, [this] {
        const int current = m_tabs->currentIndex();
        openTabs();
        m_tabs->setCurrentIndex(current);
    });
    connect(&m_session, &SessionController::servicesLost, this,
            [this](const Error& why) { statusBar()->showMessage(why.message); });
    connect(&m_session, &SessionController::endpointChanged, this, &MainWindow::showEndpointState);
    connect(&m_session, &SessionController::vaultChanged, this, &MainWindow::follow);
    connect(&m_session, &SessionController::lockedChanged, this, &MainWindow::showLocked);
    connect(&m_session, &SessionController::passphraseChanged, this, [this] {
        statusBar()->showMessage(tr("Passphrase changed"), 5000);
        refresh();
    });
    if (m_session.services())
        openTabs();
    showEndpointState();
    refresh();
}

MainWindow::~MainWindow()
{
    qApp->removeEventFilter(this);
    closeTabs();
}

vault::Vault* MainWindow::vault() const
{
    return &m_session.vault();
}

bool MainWindow::isLocked() const
{
    return m_session.isLocked();
}

void MainWindow::setIdleTimeout(std::chrono::milliseconds timeout)
{
    m_session.setIdleTimeout(timeout);
}

void MainWindow::openTabs()
{
    approvals::Services& services = *m_session.services();
    approvals::RequestEvents& events = m_session.events();
    vault::Vault& vault = m_session.vault();
    m_queueTab = new QueueTab(services.requests(), events, OWNER_MEMBER, m_tabs);
    auto* history = new HistoryTab(services.requests(), events, OWNER_MEMBER, m_tabs);
    auto* runtimes = new RuntimesTab(services.runtimes(), events, OWNER_ACTOR, m_tabs);
    auto* policies = new PoliciesTab(services.policies(), OWNER_ACTOR, m_tabs);
    auto* membersTab = new MembersTab(services, vault.tlsIdentity(), OWNER_MEMBER, m_tabs);
    connect(membersTab, &MembersTab::teamListenerChanged, this, &MainWindow::restartEndpointForTeam);
    auto* auditTab = new AuditTab(
        vault, std::make_unique<AuditNames>(services.members(), services.requests(), OWNER_MEMBER), m_tabs);
    m_auditTab = auditTab;
    m_historyTab = history;
    connect(auditTab, &AuditTab::requestActivated, this, &MainWindow::showRequest);
    connect(auditTab, &AuditTab::jobFinished, this, [this](bool ok, const QString& message) {
        if (!m_verifyFromVaultTab)
            return;
        m_verifyFromVaultTab = false;
        Q_UNUSED(ok)
        m_verifyResult->setText(message); // says verified, broken where and why, or cancelled
        refresh();
    });
    m_runtimesTab = runtimes;
    m_policiesTab = policies;
    m_membersTab = membersTab;
    m_serviceTabs = {m_queueTab, history, runtimes, policies, membersTab, auditTab};
    m_tabs->insertTab(0, m_queueTab, tr("&Queue"));
    m_tabs->insertTab(1, history, tr("Hist&ory"));
    m_tabs->insertTab(2, runtimes, tr("Ru&ntimes"));
    m_tabs->insertTab(3, policies, tr("&Policies"));
    m_tabs->insertTab(4, membersTab, tr("&Members"));
    m_tabs->insertTab(5, auditTab, tr("Audi&t"));
    m_tabs->setCurrentIndex(0);
    nameViewActions();
    sizeTabsToCurrent();
    m_queueTab->setRuntimeAddress(m_session.runtimeAddress());
    letTabLeave(m_tabs);
    connect(m_queueTab, &QueueTab::shortcutsRequested, this, &MainWindow::showShortcuts);
    connect(m_queueTab->model(), &QAbstractItemModel::rowsInserted, this, &MainWindow::updatePendingCount);
    connect(m_queueTab->model(), &QAbstractItemModel::rowsRemoved, this, &MainWindow::updatePendingCount);
    updatePendingCount();
}

void MainWindow::follow(const audit::AuditChanges& changes)
{
    auto touched = [&changes](const char* kind) {
        return changes.partial || changes.kinds.contains(QLatin1String(kind));
    };
    if (m_queueTab) {
        if (touched("runtime"))
            m_queueTab->model()->reload(); // a revoked runtime marks its requests
        else
            m_queueTab->model()->refresh(changes.requestIds);
    }
    if (m_runtimesTab && touched("runtime"))
        m_runtimesTab->reload();
    if (m_policiesTab && touched("policy"))
        m_policiesTab->reload();
    if (m_membersTab && touched("member"))
        m_membersTab->reload();
    if (m_auditTab)
        m_auditTab->follow(changes.toSeq);
    refresh();
}

void MainWindow::closeTabs()
{
    m_runtimesTab = nullptr;
    m_policiesTab = nullptr;
    m_membersTab = nullptr;
    m_queueTab = nullptr;
    m_historyTab = nullptr;
    m_auditTab = nullptr;
    m_verifyFromVaultTab = false;
    qDeleteAll(m_serviceTabs); // removes their pages from the tab widget
    m_serviceTabs.clear();
}

int MainWindow::pendingCount() const
{
    return m_queueTab ? m_queueTab->model()->rowCount() : 0;
}

void MainWindow::updatePendingCount()
{
    const int count = pendingCount();
    setWindowTitle(count > 0 ? tr("Countersign (%1)").arg(count) : tr("Countersign"));
    m_lockScreen->setPending(count);
    // The tray names the risks waiting and carries the mark of the most urgent one: a critical
    // request is visible without opening the window.
    std::array<int, 4> byRisk{};
    for (int row = 0; row < count; ++row)
        ++byRisk.at(static_cast<std::size_t>(m_queueTab->model()->requestAt(row)->risk));
    QStringList risks;
    std::optional<policy::Risk> highest;
    for (const policy::Risk risk :
         {policy::Risk::Critical, policy::Risk::High, policy::Risk::Medium, policy::Risk::Low}) {
        const int waiting = byRisk.at(static_cast<std::size_t>(risk));
        if (waiting == 0)
            continue;
        highest = highest.value_or(risk);
        risks << tr("%1 %2").arg(waiting).arg(RiskBadge::word(risk));
    }
    const QIcon icon = appIconWithCount(count);
    m_tray->setIcon(highest ? RiskBadge::marked(icon, *highest, palette()) : icon);
    m_tray->setToolTip(
        count > 0 ? tr("Countersign: %n request(s) waiting (%1)", nullptr, count).arg(risks.join(QStringLiteral(", ")))
                  : tr("Countersign: nothing waiting"));
}

void MainWindow::onRequestCreated(const QString& id)
{
    if (!m_session.services())
        return;
    auto request = m_session.services()->requests().request(id);
    if (!request || request->state != approvals::RequestState::Pending)
        return; // allowed or denied by policy at once: nothing to notify
    // While locked, a notification says only that something waits and how risky it is, never
    // what it is or who asks.
    const QString title = tr("Approval requested (%1)").arg(RiskBadge::accessibleText(request->risk));
    const QString text = m_session.isLocked() ? tr("A runtime is waiting for a decision. Unlock Countersign to see it.")
                                              : tr("%1 asks for %2 (%3): %4")
                                                    .arg(request->runtimeName, request->capability,
                                                         RiskBadge::accessibleText(request->risk), request->summary);
    m_lastNotified = id;
    if (QSystemTrayIcon::supportsMessages() && m_tray->isVisible())
        m_tray->showMessage(title, text, RiskBadge::icon(request->risk, palette()), 10000);
    if (UiSettings::soundOnRequest())
        QApplication::beep();
    Q_EMIT notified(id, title, text);
}

void MainWindow::openRequest(const QString& id)
{
    showAndRaise();
    if (m_session.isLocked() || !m_queueTab)
        return; // the lock screen comes first; the request waits in the queue
    m_tabs->setCurrentWidget(m_queueTab);
    m_queueTab->select(id);
}

void MainWindow::showRequest(const QString& id)
{
    if (m_session.isLocked() || !m_queueTab || !m_historyTab || !m_session.services())
        return;
    auto request = m_session.services()->requests().request(id);
    if (!request) {
        statusBar()->showMessage(request.error().message, 5000);
        return;
    }
    if (request->state == approvals::RequestState::Pending && m_queueTab->model()->rowOf(id) >= 0) {
        m_tabs->setCurrentWidget(m_queueTab);
        m_queueTab->select(id);
        return;
    }
    m_tabs->setCurrentWidget(m_historyTab);
    m_historyTab->select(id);
}

void MainWindow::showAndRaise()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void MainWindow::createTray()
{
    m_tray = new QSystemTrayIcon(appIcon(), this);
    m_tray->setObjectName(QStringLiteral("trayIcon"));
    auto* menu = new QMenu(this);
    menu->addAction(tr("&Show Countersign"), this, &MainWindow::showAndRaise);
    menu->addAction(tr("&Lock"), this, &MainWindow::lock);
    menu->addSeparator();
    menu->addAction(tr("&Quit"), this, &MainWindow::quit);
    m_tray->setContextMenu(menu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            showAndRaise();
    });
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { openRequest(m_lastNotified); });
    m_tray->setToolTip(tr("Countersign"));
    if (QSystemTrayIcon::isSystemTrayAvailable())
        m_tray->show();
}

bool MainWindow::eventFilter(QObject* watched, QEvent* event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
        m_session.noteActivity();
        break;
    default:
        break;
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::retryEndpoint()
{
    (void)m_session.startEndpoint(); // endpointChanged() shows the outcome
}

void MainWindow::showEndpointState()
{
    const std::optional<Error> problem = m_session.endpointProblem();
    showEndpointProblem(problem);
    const QString address = m_session.runtimeAddress();
    if (m_queueTab)
        m_queueTab->setRuntimeAddress(address);
    if (problem) {
        m_endpointStatus->setText(tr("Runtimes cannot reach you (see above)"));
        return;
    }
    if (address.isEmpty())
        return; // not started yet
    QString status = tr("Runtimes: %1").arg(address);
    if (const QString team = m_session.teamAddress(); !team.isEmpty())
        status += tr("  ·  Team: %1").arg(team);
    m_endpointStatus->setText(status);
}

void MainWindow::restartEndpointForTeam()
{
    // When the team settings cannot be read, the endpoint goes on as it was: say why here.
    if (auto reloaded = m_session.reloadTeam(); !reloaded && !m_session.endpointProblem())
        m_endpointStatus->setText(reloaded.error().message);
}

QWidget* MainWindow::createEndpointBanner()
{
    m_endpointBanner = new QFrame(this);
    m_endpointBanner->setObjectName(QStringLiteral("endpointBanner"));
    m_endpointBanner->setAccessibleName(tr("Runtimes cannot reach you"));
    m_endpointBanner->setFrameShape(QFrame::StyledPanel);
    m_endpointBanner->setAutoFillBackground(true);
    m_endpointBannerText = new MessageLabel(m_endpointBanner);
    m_endpointBannerText->setObjectName(QStringLiteral("endpointBannerText"));
    m_endpointBannerText->setAccessibleName(tr("Why runtimes cannot reach you"));
    m_endpointBannerText->setTone(MessageLabel::Tone::Error);
    m_endpointBannerText->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    auto* retry = new QPushButton(tr("Retry"), m_endpointBanner);
    retry->setObjectName(QStringLiteral("endpointRetryButton"));
    retry->setAccessibleName(tr("Start the runtime endpoint again"));
    connect(retry, &QPushButton::clicked, this, &MainWindow::retryEndpoint);
    auto* layout = new QHBoxLayout(m_endpointBanner);
    layout->addWidget(m_endpointBannerText, 1);
    layout->addWidget(retry, 0, Qt::AlignTop);
    m_endpointBanner->hide();
    return m_endpointBanner;
}

void MainWindow::showEndpointProblem(const std::optional<Error>& problem)
{
    if (!problem) {
        m_endpointBanner->hide();
        m_endpointBannerText->clear();
        return;
    }
    const quint16 port = m_session.endpointPort();
    // What stops runtimes, why in the words of the system, and what the person can do.
    QStringList lines{tr("Runtimes cannot reach you: Countersign is not listening on port %1, so no request "
                         "can arrive and runtimes waiting for a decision get no answer.")
                          .arg(port),
                      tr("Why: %1").arg(problem->message)};
    if (problem->code == ErrorCode::Io)
        lines << tr("What to do: stop the program that holds port %1, then press Retry; or start Countersign with "
                    "--port NUMBER and point runtimes at http://127.0.0.1:NUMBER.")
                     .arg(port);
    else
        lines << tr("What to do: fix the cause above, then press Retry.");
    m_endpointBannerText->setText(lines.join(u'\n'));
    m_endpointBanner->show();
}

QWidget* MainWindow::createVaultTab()
{
    auto* page = new QWidget(this);
    page->setObjectName(QStringLiteral("vaultTab"));
    m_owner = valueLabel(QStringLiteral("ownerValue"), tr("Owner"), page);
    m_location = valueLabel(QStringLiteral("locationValue"), tr("Vault file"), page);
    m_cipher = valueLabel(QStringLiteral("cipherValue"), tr("Encryption"), page);
    m_schema = valueLabel(QStringLiteral("schemaValue"), tr("Schema version"), page);
    m_entries = valueLabel(QStringLiteral("entriesValue"), tr("Audit entries"), page);
    m_publicKey = valueLabel(QStringLiteral("publicKeyValue"), tr("Instance public key"), page);
    m_publicKey->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_verifyResult = valueLabel(QStringLiteral("verifyResult"), tr("Verification result"), page);
    m_verifyButton = new QPushButton(tr("Verif&y audit chain"), page);
    m_verifyButton->setObjectName(QStringLiteral("verifyButton"));
    m_verifyButton->setAccessibleName(tr("Verify audit chain"));
    connect(m_verifyButton, &QPushButton::clicked, this, &MainWindow::verifyChain);

    auto* form = new QFormLayout;
    form->addRow(tr("Owner:"), m_owner);
    form->addRow(tr("Vault file:"), m_location);
    form->addRow(tr("Encryption:"), m_cipher);
    form->addRow(tr("Schema:"), m_schema);
    form->addRow(tr("Audit entries:"), m_entries);
    form->addRow(tr("Instance key:"), m_publicKey);
    auto* verifyRow = new QHBoxLayout;
    verifyRow->addWidget(m_verifyButton);
    verifyRow->addWidget(m_verifyResult, 1);
    auto* layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addSpacing(12);
    layout->addLayout(verifyRow);
    layout->addStretch();
    return page;
}

void MainWindow::createMenus()
{
    QMenu* vaultMenu = menuBar()->addMenu(tr("&Vault"));
    QAction* change = vaultMenu->addAction(tr("Change &Passphrase…"), this, &MainWindow::changePassphrase);
    change->setObjectName(QStringLiteral("changePassphraseAction"));
    m_unlockedOnly.append(change);
    QAction* lockAction = vaultMenu->addAction(tr("&Lock"), this, &MainWindow::lock);
    lockAction->setObjectName(QStringLiteral("lockAction"));
    lockAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    lockAction->setShortcutContext(Qt::ApplicationShortcut);
    vaultMenu->addSeparator();
    QAction* quit = vaultMenu->addAction(tr("&Quit"), this, &MainWindow::quit);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q)); // documented as Ctrl+Q on every platform
    quit->setShortcutContext(Qt::ApplicationShortcut);

    QMenu* view = menuBar()->addMenu(tr("V&iew"));
    for (int i = 0; i < 7; ++i) {
        QAction* go = view->addAction(QString(), this, [this, i] { m_tabs->setCurrentIndex(i); });
        go->setObjectName(QStringLiteral("viewTab%1Action").arg(i + 1));
        go->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + i)));
        m_unlockedOnly.append(go);
        m_viewActions.append(go);
    }
    nameViewActions();

    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    QAction* toTray = settings->addAction(tr("&Close to tray"));
    toTray->setObjectName(QStringLiteral("closeToTrayAction"));
    toTray->setCheckable(true);
    toTray->setChecked(UiSettings::closeToTray());
    connect(toTray, &QAction::toggled, this, [](bool on) { UiSettings::setCloseToTray(on); });
    QAction* sound = settings->addAction(tr("&Sound for new requests"));
    sound->setObjectName(QStringLiteral("soundAction"));
    sound->setCheckable(true);
    sound->setChecked(UiSettings::soundOnRequest());
    connect(sound, &QAction::toggled, this, [](bool on) { UiSettings::setSoundOnRequest(on); });
    QMenu* colors = settings->addMenu(tr("&Appearance"));
    auto* colorGroup = new QActionGroup(colors);
    const std::pair<ColorScheme, QString> schemes[] = {{ColorScheme::System, tr("Follow the &system")},
                                                       {ColorScheme::Light, tr("&Light")},
                                                       {ColorScheme::Dark, tr("&Dark")}};
    for (const auto& [scheme, label] : schemes) {
        QAction* choice = colors->addAction(label);
        choice->setCheckable(true);
        choice->setChecked(parseColorScheme(UiSettings::colorScheme()) == scheme);
        colorGroup->addAction(choice);
        connect(choice, &QAction::triggered, this, [scheme] {
            UiSettings::setColorScheme(colorSchemeName(scheme));
            applyColorScheme(scheme);
        });
    }
    QMenu* idle = settings->addMenu(tr("&Lock when idle"));
    auto* idleGroup = new QActionGroup(idle);
    for (const int minutes : {0, 1, 5, 10, 15, 30, 60}) {
        QAction* choice = idle->addAction(minutes == 0 ? tr("Never") : tr("After %n minute(s)", nullptr, minutes));
        choice->setCheckable(true);
        choice->setChecked(UiSettings::idleLockMinutes() == minutes);
        idleGroup->addAction(choice);
        connect(choice, &QAction::triggered, this, [this, minutes] {
            UiSettings::setIdleLockMinutes(minutes);
            setIdleTimeout(std::chrono::minutes(minutes));
        });
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys = help->addAction(tr("&Keyboard Shortcuts"), this, &MainWindow::showShortcuts);
    keys->setObjectName(QStringLiteral("shortcutsAction"));
    keys->setShortcut(QKeySequence::HelpContents);
    help->addAction(tr("&About Countersign"), this, &MainWindow::showAbout);
}

void MainWindow::nameViewActions()
{
    // Each item says where it goes, in the words (and with the mnemonic) of its tab.
    for (qsizetype i = 0; i < m_viewActions.size(); ++i) {
        const int page = static_cast<int>(i);
        m_viewActions.at(i)->setText(page < m_tabs->count() ? m_tabs->tabText(page) : QString());
        m_viewActions.at(i)->setVisible(page < m_tabs->count());
    }
}

void MainWindow::refresh()
{
    vault::Vault& vault = m_session.vault();
    m_owner->setText(vault.ownerName());
    m_location->setText(QDir::toNativeSeparators(vault.databasePath()));
    m_cipher->setText(tr("SQLCipher %1, 256-bit key from Argon2id").arg(vault.cipherVersion()));
    m_schema->setText(QString::number(vault.schemaVersion()));
    const auto count = vault.audit().lastSeq(); // one index lookup; count() walks the chain
    m_entries->setText(count ? QLocale().toString(*count) : count.error().message);
    m_publicKey->setText(QString::fromLatin1(vault.instancePublicKey().toBase64()));
}

void MainWindow::verifyChain()
{
    vault::Vault& vault = m_session.vault();
    if (m_auditTab) {
        // Off the GUI thread, with progress and Cancel: the Audit tab does it and jumps to the
        // first broken entry; the result comes back here too.
        m_tabs->setCurrentWidget(m_auditTab);
        if (!m_auditTab->isBusy()) {
            m_verifyFromVaultTab = true;
            m_verifyResult->setText(tr("Verifying in the Audit tab…"));
            m_auditTab->verify();
        }
        return;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto verified = application::AuditService(vault).verifyVault();
    const audit::VerifyResult result =
        verified ? verified->chain
                 : audit::VerifyResult{audit::VerifyResult::Problem::Storage, 0, 0, verified.error().message};
    QApplication::restoreOverrideCursor();
    if (result.ok()) {
        m_verifyResult->setText(
            tr("%Ln entry(s) verified: every hash, MAC and link holds.", nullptr, static_cast<int>(result.checked)));
    } else {
        m_verifyResult->setText(tr("Broken at entry %1 (%2): %3")
                                    .arg(result.brokenSeq)
                                    .arg(audit::VerifyResult::problemName(result.problem), result.message));
    }
    refresh();
}

void MainWindow::changePassphrase()
{
    if (findChild<ChangePassphraseDialog*>())
        return;
    // Window-modal but not blocking: requests keep arriving while the person types. The session
    // closes every other connection only for the moment of the re-key (the tabs go and come back
    // as it says); runtimes meanwhile see a refused connection and retry.
    auto* dialog = new ChangePassphraseDialog(m_session, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Countersign"),
                       tr("<h3>Countersign %1</h3><p>A desktop approver for automated runtimes: agents, CI jobs "
                          "and scripts ask before they act; you decide; everything lands in a tamper-evident "
                          "audit chain.</p>")
                           .arg(QStringLiteral(COUNTERSIGN_VERSION)));
}

void MainWindow::showShortcuts()
{
    auto* box = findChild<QMessageBox*>(QStringLiteral("shortcutsDialog"));
    if (!box) {
        box = new QMessageBox(
            QMessageBox::Information, tr("Keyboard shortcuts"),
            tr("<table cellspacing='4'>"
               "<tr><td><b>J</b> / <b>K</b>, arrows</td><td>next / previous request</td></tr>"
               "<tr><td><b>A</b></td><td>approve</td></tr>"
               "<tr><td><b>D</b></td><td>deny</td></tr>"
               "<tr><td colspan='2'>High and critical risk: <b>A</b> (or <b>D</b>) moves to the Reason field; "
               "type the reason and press <b>Enter</b> (or <b>Ctrl+Enter</b>); an approval then asks once more: "
               "<b>A</b> or <b>Enter</b> confirms, <b>Esc</b> cancels, wherever the keyboard is</td></tr>"
               "<tr><td><b>R</b></td><td>to the masked fields: <b>Space</b> reveals or hides the one in focus "
               "(each reveal audited), <b>Tab</b> moves on</td></tr>"
               "<tr><td><b>E</b></td><td>extend the deadline by 15 minutes, as far as its policy allows "
               "(audited)</td></tr>"
               "<tr><td><b>/</b></td><td>filter: words, runtime:NAME, cap:PREFIX, risk:high+; <b>Esc</b> in it clears "
               "it</td></tr>"
               "<tr><td><b>Alt+Y</b></td><td>deny the selected requests</td></tr>"
               "<tr><td><b>Ctrl+1</b> … <b>Ctrl+7</b></td><td>queue, history, runtimes, policies, members, "
               "audit, vault</td></tr>"
               "<tr><td><b>Ctrl+L</b></td><td>lock (requests keep arriving and wait)</td></tr>"
               "<tr><td><b>?</b> or <b>F1</b></td><td>this list</td></tr>"
               "<tr><td><b>Ctrl+Q</b></td><td>quit</td></tr></table>"),
            QMessageBox::Close, this);
        box->setObjectName(QStringLiteral("shortcutsDialog"));
        box->setModal(false);
    }
    box->show();
    box->raise();
}

void MainWindow::sizeTabsToCurrent()
{
    // A stacked widget's minimum is the largest of its pages' unless a page's size policy is
    // Ignored (qSmartMinSize then counts it as zero).
    for (int page = 0; page < m_tabs->count(); ++page) {
        const QSizePolicy::Policy policy =
            page == m_tabs->currentIndex() ? QSizePolicy::Preferred : QSizePolicy::Ignored;
        m_tabs->widget(page)->setSizePolicy(policy, policy);
    }
    m_tabs->updateGeometry();
}

void MainWindow::fitToScreen()
{
    const QScreen* screen = this->screen();
    if (!screen)
        return;
    // The frame (title bar, borders) is known once a window manager has drawn it.
    const QRect frame = frameGeometry();
    const QRect inner = geometry();
    const QMargins margins(inner.left() - frame.left(), inner.top() - frame.top(), frame.right() - inner.right(),
                           frame.bottom() - inner.bottom());
    const QRect fitted = fitInside(inner.marginsAdded(margins), screen->availableGeometry()).marginsRemoved(margins);
    if (fitted.size() != inner.size())
        resize(fitted.size());
    if (isVisible() && fitted.topLeft() != inner.topLeft())
        move(fitted.topLeft() - QPoint(margins.left(), margins.top())); // move() places the frame
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    fitToScreen();
    // Once more when the window manager has framed it.
    QTimer::singleShot(0, this, &MainWindow::fitToScreen);
}

void MainWindow::saveGeometryNow()
{
    UiSettings::setMainWindowGeometry(saveGeometry());
    UiSettings::setMainWindowState(saveState());
}

void MainWindow::lock()
{
    m_session.lock(); // lockedChanged() shows the lock screen
}

bool MainWindow::unlock(const QString& passphrase)
{
    if (!m_session.isLocked())
        return true;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    auto unlocked = m_session.unlock(passphrase); // lockedChanged() shows the desk
    QApplication::restoreOverrideCursor();
    if (!unlocked)
        m_lockScreen->setError(unlocked.error().code == ErrorCode::WrongPassphrase ? tr("Wrong passphrase.")
                                                                                   : unlocked.error().message);
    return unlocked.has_value();
}

void MainWindow::showLocked(bool locked)
{
    if (locked) {
        saveGeometryNow();
        // Nothing a request said stays on screen: close every open dialog (a new token too).
        const auto dialogs = findChildren<QDialog*>();
        for (QDialog* dialog : dialogs)
            dialog->reject();
        if (m_queueTab)
            m_queueTab->clearDecisionInput();
        m_stack->setCurrentWidget(m_lockScreen);
        m_lockScreen->reset();
        updatePendingCount();
        statusBar()->showMessage(tr("Locked"));
    } else {
        m_stack->setCurrentWidget(m_desk);
        statusBar()->showMessage(tr("Unlocked"), 5000);
        refresh();
    }
    for (QAction* action : std::as_const(m_unlockedOnly))
        action->setEnabled(!locked);
    Q_EMIT lockedChanged(locked);
}

void MainWindow::quit()
{
    if (findChild<QMessageBox*>(QStringLiteral("quitConfirm")))
        return;
    const int pending = pendingCount();
    auto leave = [this] {
        m_quitting = true;
        // Qt closes every window before it quits; this one now accepts instead of hiding.
        QApplication::quit();
    };
    if (pending == 0) {
        leave();
        return;
    }
    showAndRaise();
    auto* box = new QMessageBox(QMessageBox::Question, tr("Quit Countersign"),
                                tr("%n request(s) waiting. After quitting, runtimes cannot reach the endpoint and "
                                   "their requests wait until Countersign runs again.",
                                   nullptr, pending),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("quitConfirm"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton* confirm = box->addButton(tr("&Quit"), QMessageBox::AcceptRole);
    confirm->setObjectName(QStringLiteral("quitConfirmButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::buttonClicked, this, [confirm, leave](QAbstractButton* clicked) {
        if (clicked == confirm)
            leave();
    });
    box->open();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    saveGeometryNow();
    // With a tray, closing the window keeps serving requests; Quit ends the app.
    if (!m_quitting && UiSettings::closeToTray() && m_tray->isVisible()) {
        if (m_queueTab)
            m_queueTab->clearDecisionInput();
        hide();
        event->ignore();
        if (!m_toldAboutTray && QSystemTrayIcon::supportsMessages()) {
            m_toldAboutTray = true;
            m_tray->showMessage(
                tr("Countersign keeps running"),
                tr("Requests are still served and will notify you here. Quit from this icon's menu or with Ctrl+Q."),
                appIcon(), 5000);
        }
        return;
    }
    QMainWindow::closeEvent(event);
}

} // namespace countersign::ui
