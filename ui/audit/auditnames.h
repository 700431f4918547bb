#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

namespace countersign::approvals {
class RequestService;
}
namespace countersign::members {
class MemberService;
}

namespace countersign::ui {

/// What an audit entry's actor or subject ("member:<id>", "runtime:<name>", "request:<id>")
/// refers to, as people know it: a member by display name, a runtime by its name, a request by
/// its summary. The reference itself stays available for the tooltip. Answers are remembered,
/// since a page of entries names the same few actors again and again.
class AuditNames final {
public:
    enum class Kind { Other, System, Member, Runtime, Request, Invitation };
    struct Named {
        Kind kind = Kind::Other;
        QString text;      // what to show
        QString id;        // the part after the colon: member id, runtime name, request id
        bool known = true; // false when the reference names nothing this vault holds
    };

    AuditNames(const members::MemberService& members, const approvals::RequestService& requests, QString viewerId);

    [[nodiscard]] Named name(const QString& reference) const;
    /// The actor references of members whose display name contains \a text (case-insensitive),
    /// so a filter typed as shown ("Ada") finds "member:owner".
    [[nodiscard]] QStringList membersNamed(const QString& text) const;
    /// Forgets what was looked up (a member removed, a request decided).
    void forget() { m_cache.clear(); }

private:
    [[nodiscard]] Named lookUp(const QString& reference) const;

    const members::MemberService& m_members;
    const approvals::RequestService& m_requests;
    QString m_viewerId;
    mutable QHash<QString, Named> m_cache;
};

} // namespace countersign::ui
