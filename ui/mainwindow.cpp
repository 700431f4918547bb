#include "mainwindow.h"

#include "appicon.h"
#include "approvals/services.h"
#include "audit/auditlog.h"
#include "changepassphrasedialog.h"
#include "http/endpointthread.h"
#include "queuetab.h"
#include "uisettings.h"
#include "vault/vault.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

QLabel* valueLabel(const QString& objectName, const QString& accessibleName, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setAccessibleName(accessibleName);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setWordWrap(true);
    return label;
}

} // namespace

MainWindow::MainWindow(std::unique_ptr<vault::Vault> vault, QWidget* parent)
    : QMainWindow(parent)
    , m_vault(std::move(vault))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Countersign"));
    setWindowIcon(appIcon());
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setAccessibleName(tr("Sections"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createVaultTab(), tr("&Vault"));
    setCentralWidget(m_tabs);
    createMenus();
    m_endpointStatus = new QLabel(tr("Endpoint not running"), this);
    m_endpointStatus->setObjectName(QStringLiteral("endpointStatus"));
    m_endpointStatus->setAccessibleName(tr("Endpoint status"));
    statusBar()->addPermanentWidget(m_endpointStatus);
    statusBar()->showMessage(tr("Vault unlocked"), 5000);
    if (!restoreGeometry(UiSettings::mainWindowGeometry()))
        resize(820, 560);
    restoreState(UiSettings::mainWindowState());
    refresh();
}

MainWindow::~MainWindow()
{
    m_endpoint.reset(); // before the vault it serves from
    delete m_queueTab;
    m_services.reset();
}

void MainWindow::setServices(std::unique_ptr<approvals::Services> services, approvals::RequestEvents& events)
{
    m_services = std::move(services);
    m_queueTab = new QueueTab(m_services->requests(), events, QStringLiteral("owner"), m_tabs);
    m_tabs->insertTab(0, m_queueTab, tr("&Queue"));
    m_tabs->setCurrentIndex(0);
}

void MainWindow::setEndpoint(std::unique_ptr<http::EndpointThread> endpoint)
{
    m_endpoint = std::move(endpoint);
    startEndpoint();
}

void MainWindow::startEndpoint()
{
    if (!m_endpoint)
        return;
    auto started = m_endpoint->start();
    m_endpointStatus->setText(started ? tr("Runtimes: http://127.0.0.1:%1").arg(m_endpoint->port())
                                      : tr("Endpoint not running: %1").arg(started.error().message));
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
    m_verifyButton = new QPushButton(tr("&Verify audit chain"), page);
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
    QAction* lockAction = vaultMenu->addAction(tr("&Lock"), this, &MainWindow::lock);
    lockAction->setObjectName(QStringLiteral("lockAction"));
    lockAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    lockAction->setShortcutContext(Qt::ApplicationShortcut);
    vaultMenu->addSeparator();
    QAction* quit = vaultMenu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence::Quit);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Countersign"), this, &MainWindow::showAbout);
}

void MainWindow::refresh()
{
    if (!m_vault)
        return;
    m_owner->setText(m_vault->ownerName());
    m_location->setText(QDir::toNativeSeparators(m_vault->databasePath()));
    m_cipher->setText(tr("SQLCipher %1, 256-bit key from Argon2id").arg(m_vault->cipherVersion()));
    m_schema->setText(QString::number(m_vault->schemaVersion()));
    const auto count = m_vault->audit().count();
    m_entries->setText(count ? QLocale().toString(*count) : count.error().message);
    m_publicKey->setText(QString::fromLatin1(m_vault->instancePublicKey().toBase64()));
}

void MainWindow::verifyChain()
{
    if (!m_vault)
        return;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const audit::VerifyResult result = m_vault->audit().verify();
    QApplication::restoreOverrideCursor();
    if (result.ok()) {
        m_verifyResult->setText(
            tr("%1 entries verified: every hash, MAC and link holds.").arg(QLocale().toString(result.checked)));
    } else {
        m_verifyResult->setText(tr("Broken at entry %1 (%2): %3")
                                    .arg(result.brokenSeq)
                                    .arg(audit::VerifyResult::problemName(result.problem), result.message));
    }
    refresh();
}

void MainWindow::changePassphrase()
{
    if (!m_vault)
        return;
    // Re-keying replaces the database file: the endpoint's connection must not be open meanwhile.
    if (m_endpoint)
        m_endpoint->stop();
    ChangePassphraseDialog dialog(*m_vault, this);
    if (dialog.exec() == QDialog::Accepted) {
        statusBar()->showMessage(tr("Passphrase changed"), 5000);
        refresh();
    }
    startEndpoint();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Countersign"),
                       tr("<h3>Countersign %1</h3><p>A desktop approver for automated runtimes: agents, CI jobs "
                          "and scripts ask before they act; you decide; everything lands in a tamper-evident "
                          "audit chain.</p>")
                           .arg(QStringLiteral(COUNTERSIGN_VERSION)));
}

void MainWindow::lock()
{
    if (!m_vault)
        return;
    UiSettings::setMainWindowGeometry(saveGeometry());
    UiSettings::setMainWindowState(saveState());
    m_endpoint.reset();
    delete m_queueTab;
    m_queueTab = nullptr;
    m_services.reset();
    m_vault.reset(); // closes the database and wipes the key
    hide();
    Q_EMIT locked();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    UiSettings::setMainWindowGeometry(saveGeometry());
    UiSettings::setMainWindowState(saveState());
    QMainWindow::closeEvent(event);
}

} // namespace countersign::ui
