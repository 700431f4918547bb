#include "admin/runtimestab.h"

#include "admin/runtimesmodel.h"
#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "common/confirmation.h"
#include "common/emptystate.h"
#include "common/tokendialog.h"
#include "policy/capabilityglob.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace countersign::ui {

RuntimesTab::RuntimesTab(approvals::RuntimeRegistry& runtimes, approvals::RequestEvents& events, QString actor,
                         QWidget* parent)
    : QWidget(parent)
    , m_runtimes(runtimes)
    , m_actor(std::move(actor))
    , m_model(new RuntimesModel(this))
    , m_table(new QTableView(this))
    , m_register(new QPushButton(tr("&Register runtime…"), this))
    , m_revoke(new QPushButton(tr("Revo&ke"), this))
    , m_message(new QLabel(this))
    , m_empty(new EmptyState(m_table, QStringLiteral("runtimesEmptyState"), m_model))
{
    setObjectName(QStringLiteral("runtimesTab"));
    m_table->setModel(m_model);
    m_table->setObjectName(QStringLiteral("runtimesView"));
    m_table->setAccessibleName(tr("Registered runtimes"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(RuntimesModel::Allowed, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    m_register->setObjectName(QStringLiteral("registerRuntimeButton"));
    m_register->setAccessibleName(tr("Register a runtime"));
    m_revoke->setObjectName(QStringLiteral("revokeRuntimeButton"));
    m_revoke->setAccessibleName(tr("Revoke the selected runtime"));
    m_empty->setMessage(
        tr("No runtimes yet.\n\nA runtime is a program that asks you before it acts: a CI job, a deploy "
           "script, a coding agent. Register one with \u201cRegister runtime\u2026\u201d below; it gets "
           "a token to authenticate with, shown once, and may ask only for the capabilities you name."));
    m_message->setObjectName(QStringLiteral("runtimesMessage"));
    m_message->setTextFormat(Qt::PlainText); // it shows what runtimes and members wrote
    m_message->setAccessibleName(tr("Runtimes message"));
    m_message->setWordWrap(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_register);
    buttons->addWidget(m_revoke);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_message);

    connect(m_register, &QPushButton::clicked, this, &RuntimesTab::showRegisterDialog);
    connect(m_revoke, &QPushButton::clicked, this, &RuntimesTab::revokeSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RuntimesTab::updateButtons);
    // Last seen and request counts move with traffic; refresh at most every two seconds.
    auto* pending = new QTimer(this);
    pending->setSingleShot(true);
    pending->setInterval(2000);
    connect(pending, &QTimer::timeout, this, &RuntimesTab::reload);
    connect(&events, &approvals::RequestEvents::requestCreated, pending, [pending] {
        if (!pending->isActive())
            pending->start();
    });
    reload();
}

void RuntimesTab::reload()
{
    auto list = m_runtimes.list();
    if (!list) {
        m_message->setText(list.error().message);
        return;
    }
    // Rows are matched by name, so the selection stays on its runtime.
    m_model->setRuntimes(std::move(*list));
    updateButtons();
}

int RuntimesTab::selectedRow() const
{
    const QModelIndex current = m_table->currentIndex();
    return m_table->selectionModel()->hasSelection() && current.isValid() ? current.row() : -1;
}

void RuntimesTab::updateButtons()
{
    const int row = selectedRow();
    m_revoke->setEnabled(row >= 0 && m_model->runtime(row).revokedAt == 0);
}

Result<void> RuntimesTab::registerRuntime(const QString& name, const QStringList& globs)
{
    auto token = m_runtimes.registerRuntime(name, globs, m_actor);
    COUNTERSIGN_TRY(token);
    reload();
    m_message->setText(tr("Registered %1.").arg(name));
    auto* dialog = new TokenDialog(name, *token, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    Q_EMIT changed();
    return {};
}

void RuntimesTab::showRegisterDialog()
{
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("registerRuntimeDialog"));
    dialog->setWindowTitle(tr("Register a runtime"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* name = new QLineEdit(dialog);
    name->setObjectName(QStringLiteral("runtimeNameEdit"));
    name->setAccessibleName(tr("Runtime name"));
    name->setPlaceholderText(tr("ci-deployer"));
    auto* globs = new QLineEdit(dialog);
    globs->setObjectName(QStringLiteral("runtimeGlobsEdit"));
    globs->setAccessibleName(tr("Allowed capabilities"));
    globs->setPlaceholderText(tr("deploy.* db.migrate"));
    globs->setToolTip(tr("Capability globs separated by spaces; * matches one dot-separated segment, ** any."));
    auto* error = new QLabel(dialog);
    error->setObjectName(QStringLiteral("registerError"));
    error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Register"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("registerConfirmButton"));
    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), name);
    form->addRow(tr("&Allowed capabilities:"), globs);
    auto* layout = new QVBoxLayout(dialog);
    layout->addLayout(form);
    layout->addWidget(error);
    layout->addWidget(buttons);
    dialog->setMinimumWidth(420);

    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, name, globs, error] {
        const QStringList list = globs->text().split(u' ', Qt::SkipEmptyParts);
        if (list.isEmpty()) {
            error->setText(tr("Name at least one capability glob the runtime may ask for."));
            return;
        }
        for (const QString& glob : list) {
            if (auto valid = policy::CapabilityGlob::validateGlob(glob); !valid) {
                error->setText(valid.error().message);
                globs->setFocus();
                return;
            }
        }
        if (auto registered = registerRuntime(name->text().trimmed(), list); !registered) {
            error->setText(registered.error().message);
            return;
        }
        dialog->accept();
    });
    dialog->open();
}

void RuntimesTab::revokeSelected()
{
    const int row = selectedRow();
    if (row < 0)
        return;
    const QString name = m_model->runtime(row).name;
    confirmDestructive(this,
                       {QStringLiteral("revokeConfirm"), tr("Revoke %1?").arg(name),
                        tr("Revoke runtime %1? Its token stops working at once and its pending requests can no "
                           "longer be consumed. This cannot be undone.")
                            .arg(name),
                        tr("&Revoke")},
                       [this, name] {
                           auto revoked = m_runtimes.revoke(name, m_actor);
                           m_message->setText(revoked ? tr("Revoked %1.").arg(name) : revoked.error().message);
                           reload();
                           Q_EMIT changed();
                       });
}

} // namespace countersign::ui
