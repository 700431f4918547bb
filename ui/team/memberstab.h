#pragma once

#include "error.h"

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableView;

namespace countersign::application {
class TeamAdmin;
}
namespace countersign::approvals {
class Services;
}
namespace countersign::crypto {
struct TlsIdentity;
}

namespace countersign::ui {

class InvitationsModel;
class MembersModel;

/// Members and invitations: invite someone (the link and its QR code
/// shown once), see and revoke invitations, change a member's role, remove a member, and turn
/// the TLS team listener on or off. Every action goes through the core services, which check
/// the acting member's permissions; this tab only reflects them.
class MembersTab final : public QWidget {
    Q_OBJECT
public:
    MembersTab(approvals::Services& services, const crypto::TlsIdentity* tlsIdentity, QString memberId,
               QWidget* parent = nullptr);
    ~MembersTab() override;

    void reload();
    /// Creates an invitation and shows its link once.
    [[nodiscard]] Result<void> invite(const QString& role, qint64 expirySeconds, const QString& note);

protected:
    void showEvent(QShowEvent* event) override;

Q_SIGNALS:
    /// The team listener was turned on, off or moved: the endpoint must restart.
    void teamListenerChanged();

private:
    void showInviteDialog();
    void revokeSelected();
    void changeRoleOfSelected();
    void removeSelected();
    void toggleTeamListener();
    void updateButtons();
    /// The selected row of \a view, -1 when nothing is selected.
    [[nodiscard]] static int selectedRow(const QTableView* view);

    approvals::Services& m_services;
    std::unique_ptr<application::TeamAdmin> m_team;
    QString m_memberId;
    MembersModel* m_memberRows;
    InvitationsModel* m_invitationRows;
    QTableView* m_members;
    QTableView* m_invitations;
    QPushButton* m_invite;
    QPushButton* m_revoke;
    QPushButton* m_changeRole;
    QPushButton* m_remove;
    QLineEdit* m_address;
    QSpinBox* m_port;
    QLineEdit* m_host;
    QPushButton* m_teamToggle;
    QLabel* m_teamStatus;
    QWidget* m_fingerprintRow;
    QLabel* m_fingerprintLabel;
    QLabel* m_inviteHint;
    QLabel* m_message;
    bool m_teamOn = false;
};

} // namespace countersign::ui
