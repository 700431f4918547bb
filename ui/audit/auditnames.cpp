#include "audit/auditnames.h"

#include "approvals/requestservice.h"
#include "members/memberservice.h"

#include <QCoreApplication>

namespace countersign::ui {

namespace {

// Enough for every actor and the requests of many pages; past it, the cache starts over.
constexpr qsizetype MAX_CACHED = 4096;

QString tr(const char* text)
{
    return QCoreApplication::translate("AuditNames", text);
}

} // namespace

AuditNames::AuditNames(const members::MemberService& members, const approvals::RequestService& requests,
                       QString viewerId)
    : m_members(members)
    , m_requests(requests)
    , m_viewerId(std::move(viewerId))
{
}

AuditNames::Named AuditNames::name(const QString& reference) const
{
    const auto found = m_cache.constFind(reference);
    if (found != m_cache.cend())
        return *found;
    if (m_cache.size() >= MAX_CACHED)
        m_cache.clear();
    const Named named = lookUp(reference);
    m_cache.insert(reference, named);
    return named;
}

AuditNames::Named AuditNames::lookUp(const QString& reference) const
{
    // The instance writes its own entries (creation, unlocks, keys) with no actor at all.
    if (reference.isEmpty() || reference == u"system")
        return {Kind::System, tr("Countersign"), {}, true};
    if (reference == u"policy")
        return {Kind::System, tr("a policy rule"), {}, true};
    const qsizetype colon = reference.indexOf(u':');
    if (colon <= 0)
        return {Kind::Other, reference, {}, true};
    const QStringView kind = QStringView(reference).left(colon);
    const QString id = reference.mid(colon + 1);
    if (kind == u"member") {
        auto member = m_members.member(id);
        if (!member)
            return {Kind::Member, reference, id, false};
        return {Kind::Member, member->active ? member->displayName : tr("%1 (removed)").arg(member->displayName), id,
                true};
    }
    if (kind == u"runtime")
        return {Kind::Runtime, tr("%1 (runtime)").arg(id), id, true};
    if (kind == u"request") {
        auto request = m_requests.request(id);
        if (!request)
            return {Kind::Request, reference, id, false};
        return {Kind::Request, request->summary, id, true};
    }
    if (kind == u"invitation")
        return {Kind::Invitation, tr("invitation"), id, true};
    return {Kind::Other, reference, id, true};
}

QStringList AuditNames::membersNamed(const QString& text) const
{
    QStringList actors;
    if (text.isEmpty())
        return actors;
    auto members = m_members.list(m_viewerId);
    if (!members)
        return actors;
    for (const members::Member& member : std::as_const(*members)) {
        if (member.displayName.contains(text, Qt::CaseInsensitive))
            actors.append(member.actor());
    }
    return actors;
}

} // namespace countersign::ui
