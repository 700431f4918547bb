#include "shell/desktopsession.h"

#include "api/apihandler.h"
#include "api/teamlistener.h"
#include "approvals/services.h"
#include "http/endpointthread.h"
#include "shell/firstrunwizard.h"
#include "shell/mainwindow.h"
#include "shell/unlockdialog.h"
#include "vault/vault.h"

namespace countersign::ui {

DesktopSession::DesktopSession(QString dataDir, http::EndpointSettings endpointSettings, QObject* parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_endpointSettings(std::move(endpointSettings))
{
}

DesktopSession::~DesktopSession()
{
    delete m_window;
}

MainWindow* DesktopSession::window() const
{
    return m_window;
}

void DesktopSession::start()
{
    if (vault::Vault::exists(m_dataDir))
        showUnlock();
    else
        showFirstRun();
}

void DesktopSession::showFirstRun()
{
    auto* wizard = new FirstRunWizard(m_dataDir);
    wizard->setAttribute(Qt::WA_DeleteOnClose);
    connect(wizard, &QDialog::accepted, this, [this, wizard] { showWindow(wizard->takeVault()); });
    connect(wizard, &QDialog::rejected, this, &DesktopSession::finished);
    wizard->open();
}

void DesktopSession::showUnlock()
{
    auto* dialog = new UnlockDialog(m_dataDir);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { showWindow(dialog->takeVault()); });
    connect(dialog, &QDialog::rejected, this, &DesktopSession::finished);
    dialog->open();
}

void DesktopSession::showWindow(std::unique_ptr<vault::Vault> vault)
{
    if (!vault) {
        Q_EMIT finished();
        return;
    }
    delete m_window;
    m_window = new MainWindow(std::move(vault));
    if (auto services = approvals::Services::open(*m_window->vault(), m_events, QStringLiteral("window")))
        m_window->setServices(std::move(*services), m_events);
    // The endpoint serves runtimes from its own thread while the vault is unlocked.
    http::EndpointSettings serving = m_endpointSettings;
    if (auto team = api::teamListenerOf(*m_window->vault()))
        serving.team = *team;
    m_window->setEndpoint(std::make_unique<http::EndpointThread>(
        serving, api::ApiHandler::factory(*m_window->vault(), m_events, QStringLiteral("endpoint"))));
    m_window->setAttribute(Qt::WA_DeleteOnClose);
    m_window->show();
}

} // namespace countersign::ui
