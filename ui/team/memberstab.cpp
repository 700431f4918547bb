#include "team/memberstab.h"

#include "application/teamadmin.h"
#include "approvals/services.h"
#include "common/confirmation.h"
#include "common/durationedit.h"
#include "common/groupedhex.h"
#include "common/tokendialog.h"
#include "members/invitationservice.h"
#include "members/memberservice.h"
#include "members/teamlistenersettings.h"
#include "team/invitationsmodel.h"
#include "team/membersmodel.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHostInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace countersign::ui {

namespace {

QString when(qint64 ms)
{
    return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat) : QString();
}

QTableView* table(QAbstractItemModel* model, const QString& name, const QString& accessible, QWidget* parent)
{
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->setObjectName(name);
    view->setAccessibleName(accessible);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setWordWrap(false);
    return view;
}

QPushButton* button(const QString& text, const QString& name, const QString& accessible, QWidget* parent)
{
    auto* created = new QPushButton(text, parent);
    created->setObjectName(name);
    created->setAccessibleName(accessible);
    return created;
}

} // namespace

MembersTab::MembersTab(approvals::Services& services, const crypto::TlsIdentity* tlsIdentity, QString memberId,
                       QWidget* parent)
    : QWidget(parent)
    , m_services(services)
    , m_team(std::make_unique<application::TeamAdmin>(services, tlsIdentity, memberId))
    , m_memberId(std::move(memberId))
    , m_memberRows(new MembersModel(this))
    , m_invitationRows(new InvitationsModel(this))
    , m_members(table(m_memberRows, QStringLiteral("membersView"), tr("Members"), this))
    , m_invitations(table(m_invitationRows, QStringLiteral("invitationsView"), tr("Invitations"), this))
    , m_invite(button(tr("Invit&e…"), QStringLiteral("inviteButton"), tr("Invite a member"), this))
    , m_revoke(button(tr("Revo&ke invitation"), QStringLiteral("revokeInvitationButton"),
                      tr("Revoke the selected invitation"), this))
    , m_changeRole(button(tr("Chan&ge role…"), QStringLiteral("changeRoleButton"),
                          tr("Change the selected member's role"), this))
    , m_remove(
          button(tr("Remove mem&ber"), QStringLiteral("removeMemberButton"), tr("Remove the selected member"), this))
    , m_address(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_host(new QLineEdit(this))
    , m_teamToggle(
          button(tr("T&urn on"), QStringLiteral("teamToggleButton"), tr("Turn the team listener on or off"), this))
    , m_teamStatus(new QLabel(this))
    , m_fingerprintRow(new QWidget(this))
    , m_fingerprintLabel(new QLabel(m_fingerprintRow))
    , m_inviteHint(new QLabel(this))
    , m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("membersTab"));
    m_address->setObjectName(QStringLiteral("teamAddress"));
    m_address->setAccessibleName(tr("Address to listen on"));
    m_address->setPlaceholderText(QStringLiteral("0.0.0.0"));
    m_port->setObjectName(QStringLiteral("teamPort"));
    m_port->setAccessibleName(tr("Team listener port"));
    m_port->setRange(1, 65535);
    m_port->setValue(7448);
    m_host->setObjectName(QStringLiteral("teamHost"));
    m_host->setAccessibleName(tr("Host name members dial"));
    m_host->setPlaceholderText(QHostInfo::localHostName());
    m_teamStatus->setObjectName(QStringLiteral("teamStatus"));
    m_teamStatus->setWordWrap(true);
    m_teamStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Members compare it with what their client shows when joining: monospace, in groups of
    // four, selectable to copy.
    m_fingerprintLabel->setObjectName(QStringLiteral("teamFingerprint"));
    m_fingerprintLabel->setAccessibleName(tr("Certificate fingerprint (SHA-256)"));
    m_fingerprintLabel->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_fingerprintLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_fingerprintLabel->setWordWrap(true);
    m_inviteHint->setObjectName(QStringLiteral("inviteHint"));
    m_inviteHint->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("membersMessage"));
    m_message->setTextFormat(Qt::PlainText); // it shows what runtimes and members wrote
    m_message->setWordWrap(true);

    auto* team = new QGroupBox(tr("Team listener (TLS, for members on other machines)"), this);
    auto* teamForm = new QFormLayout;
    teamForm->addRow(tr("&Address:"), m_address);
    teamForm->addRow(tr("Po&rt:"), m_port);
    teamForm->addRow(tr("Members &dial:"), m_host);
    auto* teamLayout = new QVBoxLayout(team);
    teamLayout->addLayout(teamForm);
    auto* teamRow = new QHBoxLayout;
    teamRow->addWidget(m_teamToggle);
    teamRow->addWidget(m_teamStatus, 1);
    teamLayout->addLayout(teamRow);
    auto* fingerprintRow = new QHBoxLayout(m_fingerprintRow);
    fingerprintRow->setContentsMargins(0, 0, 0, 0);
    auto* fingerprintTitle = new QLabel(tr("Certificate SHA-256:"), m_fingerprintRow);
    fingerprintTitle->setBuddy(m_fingerprintLabel);
    fingerprintRow->addWidget(fingerprintTitle, 0, Qt::AlignTop);
    fingerprintRow->addWidget(m_fingerprintLabel, 1);
    teamLayout->addWidget(m_fingerprintRow);
    m_fingerprintLabel->setText(groupedHex(m_team->certificateSha256()));

    auto* memberButtons = new QHBoxLayout;
    memberButtons->addWidget(m_changeRole);
    memberButtons->addWidget(m_remove);
    memberButtons->addStretch();
    auto* invitationButtons = new QHBoxLayout;
    invitationButtons->addWidget(m_invite);
    invitationButtons->addWidget(m_revoke);
    invitationButtons->addWidget(m_inviteHint, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(team);
    layout->addWidget(new QLabel(tr("Members"), this));
    layout->addWidget(m_members, 2);
    layout->addLayout(memberButtons);
    layout->addWidget(new QLabel(tr("Invitations"), this));
    layout->addWidget(m_invitations, 1);
    layout->addLayout(invitationButtons);
    layout->addWidget(m_message);

    connect(m_invite, &QPushButton::clicked, this, &MembersTab::showInviteDialog);
    connect(m_revoke, &QPushButton::clicked, this, &MembersTab::revokeSelected);
    connect(m_changeRole, &QPushButton::clicked, this, &MembersTab::changeRoleOfSelected);
    connect(m_remove, &QPushButton::clicked, this, &MembersTab::removeSelected);
    connect(m_teamToggle, &QPushButton::clicked, this, &MembersTab::toggleTeamListener);
    connect(m_members->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MembersTab::updateButtons);
    connect(m_invitations->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MembersTab::updateButtons);
    // Members join and invitations are made from elsewhere too (the CLI, the team listener):
    // refresh while the tab is on screen.
    auto* refresh = new QTimer(this);
    refresh->setInterval(3000);
    connect(refresh, &QTimer::timeout, this, [this] {
        if (isVisible())
            reload();
    });
    refresh->start();
    reload();
}

void MembersTab::showEvent(QShowEvent* event)
{
    reload();
    QWidget::showEvent(event);
}

int MembersTab::selectedRow(const QTableView* view)
{
    const QModelIndex current = view->currentIndex();
    return view->selectionModel()->hasSelection() && current.isValid() ? current.row() : -1;
}

MembersTab::~MembersTab() = default;

void MembersTab::reload()
{
    auto members = m_services.members().list(m_memberId);
    auto invitations = m_services.invitations().list(m_memberId);
    if (!members || !invitations) {
        m_message->setText(!members ? members.error().message : invitations.error().message);
        return;
    }
    // Rows are matched by id, so the selection stays on its member or invitation.
    m_memberRows->setMembers(std::move(*members));
    m_invitationRows->setInvitations(std::move(*invitations));
    auto settings = m_team->listener();
    m_teamOn = settings && *settings;
    if (m_teamOn) {
        const members::TeamListenerSettings& on = **settings;
        m_address->setText(on.address);
        m_port->setValue(on.port);
        m_host->setText(on.publicHost);
        m_teamStatus->setText(tr("On: members reach https://%1:%2.").arg(on.publicHost).arg(on.port));
    } else {
        m_teamStatus->setText(tr("Off: only this machine's runtimes and window can reach Countersign."));
    }
    m_fingerprintRow->setVisible(m_teamOn && !m_team->certificateSha256().isEmpty());
    m_teamToggle->setText(m_teamOn ? tr("T&urn off") : tr("T&urn on"));
    m_address->setEnabled(!m_teamOn);
    m_port->setEnabled(!m_teamOn);
    m_host->setEnabled(!m_teamOn);
    updateButtons();
}

void MembersTab::updateButtons()
{
    const int invitationRow = selectedRow(m_invitations);
    const bool pending =
        invitationRow >= 0 && m_invitationRows->invitation(invitationRow).state == members::Invitation::State::Pending;
    m_revoke->setEnabled(pending);
    const int memberRow = selectedRow(m_members);
    const bool active = memberRow >= 0 && m_memberRows->member(memberRow).active;
    m_changeRole->setEnabled(active);
    m_remove->setEnabled(active);
    // Say why Invite is disabled and how to enable it, where it is seen, not only on hover.
    const QString why = tr("Inviting needs the team listener: the link names its address. Turn it on above "
                           "(Team listener, Turn on).");
    m_invite->setEnabled(m_teamOn);
    m_invite->setToolTip(m_teamOn ? QString() : why);
    m_inviteHint->setText(why);
    m_inviteHint->setVisible(!m_teamOn);
}

Result<void> MembersTab::invite(const QString& role, qint64 expirySeconds, const QString& note)
{
    const auto parsedRole = members::parseRole(role);
    if (!parsedRole)
        return fail(ErrorCode::InvalidArgument, tr("No such role: %1.").arg(role));
    auto invited = m_team->invite(*parsedRole, expirySeconds, note);
    COUNTERSIGN_TRY(invited);
    auto* dialog = new TokenDialog(
        TokenDialog::Shown{tr("Invitation to join as %1").arg(role),
                           tr("Send this link to the person you invite, over a channel you trust. They join with "
                              "<tt>countersign-cli member join LINK</tt> before %1.")
                               .arg(when(invited->invitation.expiresAt).toHtmlEscaped()),
                           invited->link.toString(), tr("Invitation link"),
                           tr("The link will not be shown again. It works once; revoke the invitation if it went "
                              "astray."),
                           true},
        this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    reload();
    return {};
}

void MembersTab::showInviteDialog()
{
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("inviteDialog"));
    dialog->setWindowTitle(tr("Invite a member"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* role = new QComboBox(dialog);
    role->setObjectName(QStringLiteral("inviteRole"));
    role->setAccessibleName(tr("Role"));
    for (members::Role candidate :
         {members::Role::Approver, members::Role::Viewer, members::Role::Admin, members::Role::Owner})
        role->addItem(members::roleName(candidate));
    auto* expiry = new DurationEdit({DurationEdit::Unit::Hours, DurationEdit::Unit::Days}, 3600,
                                    members::InvitationService::MAX_EXPIRY_SECONDS, dialog);
    expiry->setObjectName(QStringLiteral("inviteExpiry"));
    expiry->setAccessibleName(tr("Expires after"));
    expiry->setSeconds(members::InvitationService::DEFAULT_EXPIRY_SECONDS);
    auto* note = new QLineEdit(dialog);
    note->setObjectName(QStringLiteral("inviteNote"));
    note->setAccessibleName(tr("Note"));
    note->setMaxLength(static_cast<int>(members::InvitationService::MAX_NOTE_CHARS));
    auto* error = new QLabel(dialog);
    error->setObjectName(QStringLiteral("inviteError"));
    error->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Create link"));
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("inviteConfirmButton"));
    auto* form = new QFormLayout;
    form->addRow(tr("&Role:"), role);
    form->addRow(tr("&Expires after:"), expiry);
    form->addRow(tr("&Note:"), note);
    auto* layout = new QVBoxLayout(dialog);
    layout->addLayout(form);
    layout->addWidget(error);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, role, expiry, note, error] {
        if (auto invited = invite(role->currentText(), expiry->seconds(), note->text()); !invited) {
            error->setText(invited.error().message);
            return;
        }
        dialog->accept();
    });
    dialog->open();
}

void MembersTab::revokeSelected()
{
    const int row = selectedRow(m_invitations);
    if (row < 0)
        return;
    const members::Invitation& invitation = m_invitationRows->invitation(row);
    const QString id = invitation.id;
    const QString role = members::roleName(invitation.role);
    const QString note = invitation.note;
    const QString which = note.isEmpty() ? tr("the invitation to join as %1").arg(role)
                                         : tr("the invitation to join as %1 (%2)").arg(role, note);
    confirmDestructive(this,
                       {QStringLiteral("revokeInvitationConfirm"), tr("Revoke the invitation?"),
                        tr("Revoke %1? Its link stops working at once; nobody can join with it. This cannot be "
                           "undone.")
                            .arg(which),
                        tr("&Revoke")},
                       [this, id, which] {
                           auto revoked = m_services.invitations().revoke(m_memberId, id);
                           m_message->setText(revoked ? tr("Revoked %1.").arg(which) : revoked.error().message);
                           reload();
                       });
}

void MembersTab::changeRoleOfSelected()
{
    const int row = selectedRow(m_members);
    if (row < 0)
        return;
    const members::Member member = m_memberRows->member(row);
    const QString id = member.id;
    auto* dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("changeRoleDialog"));
    dialog->setWindowTitle(tr("Change role"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto* role = new QComboBox(dialog);
    role->setObjectName(QStringLiteral("roleCombo"));
    role->setAccessibleName(tr("New role"));
    for (members::Role candidate : members::allRoles())
        role->addItem(members::roleName(candidate), static_cast<int>(candidate));
    role->setCurrentIndex(role->findData(static_cast<int>(member.role)));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("changeRoleConfirmButton"));
    auto* layout = new QFormLayout(dialog);
    layout->addRow(tr("%1's &role:").arg(member.displayName), role);
    layout->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, role, id] {
        auto changed =
            m_services.members().changeRole(m_memberId, id, static_cast<members::Role>(role->currentData().toInt()));
        m_message->setText(changed ? tr("%1 is now %2; their sessions have ended.")
                                         .arg(changed->displayName, members::roleName(changed->role))
                                   : changed.error().message);
        dialog->accept();
        reload();
    });
    dialog->open();
}

void MembersTab::removeSelected()
{
    const int row = selectedRow(m_members);
    if (row < 0)
        return;
    const QString id = m_memberRows->member(row).id;
    const QString name = m_memberRows->member(row).displayName;
    confirmDestructive(this,
                       {QStringLiteral("removeMemberConfirm"), tr("Remove %1?").arg(name),
                        tr("Remove %1? Their sessions end at once and they can no longer decide. Their past "
                           "decisions stay in the audit chain.")
                            .arg(name),
                        tr("&Remove")},
                       [this, id] {
                           auto removed = m_services.members().remove(m_memberId, id);
                           m_message->setText(removed ? tr("Removed %1.").arg(removed->displayName)
                                                      : removed.error().message);
                           reload();
                       });
}

void MembersTab::toggleTeamListener()
{
    const QString address = m_address->text().trimmed();
    const auto stored = m_teamOn
                            ? m_team->disableListener()
                            : m_team->enableListener(address.isEmpty() ? QStringLiteral("0.0.0.0") : address,
                                                     static_cast<quint16>(m_port->value()), m_host->text().trimmed());
    m_message->setText(stored ? QString() : stored.error().message);
    reload();
    if (stored)
        Q_EMIT teamListenerChanged();
}

} // namespace countersign::ui
