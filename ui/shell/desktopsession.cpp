#include "shell/desktopsession.h"

#include "application/instance.h"
#include "shell/firstrunwizard.h"
#include "shell/mainwindow.h"
#include "shell/sessioncontroller.h"
#include "shell/unlockdialog.h"
#include "vault/vault.h"

#include <QMessageBox>

namespace countersign::ui {

DesktopSession::DesktopSession(QString dataDir, http::EndpointSettings endpointSettings, QObject* parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_endpointSettings(std::move(endpointSettings))
{
}

DesktopSession::~DesktopSession()
{
    delete m_window; // before the session it shows
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
    m_controller.reset();
    auto instance = application::Instance::open(std::move(vault), m_endpointSettings);
    if (!instance) {
        QMessageBox::critical(nullptr, tr("Countersign"),
                              tr("The vault is unlocked but cannot be served: %1").arg(instance.error().message));
        Q_EMIT finished();
        return;
    }
    m_controller = std::make_unique<SessionController>(std::move(*instance));
    m_window = new MainWindow(*m_controller);
    // The endpoint serves runtimes from its own thread while the session lasts; the window says
    // where, or why not.
    (void)m_controller->startEndpoint();
    m_window->setAttribute(Qt::WA_DeleteOnClose);
    m_window->show();
}

} // namespace countersign::ui
