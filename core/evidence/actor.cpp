#include "actor.h"

namespace countersign::audit {

namespace {

// Constant-initialized views, not QStrings: AuditLog::SYSTEM_ACTOR is made from toString() during
// static initialization, possibly before a QString of this file would be.
constexpr QStringView SYSTEM = u"system";
constexpr QStringView POLICY = u"policy";
constexpr QStringView MEMBER_PREFIX = u"member:";
constexpr QStringView RUNTIME_PREFIX = u"runtime:";

} // namespace

std::optional<Actor> Actor::parse(const QString& text)
{
    if (text == SYSTEM)
        return system();
    if (text == POLICY)
        return policy();
    if (text.startsWith(MEMBER_PREFIX) && text.size() > MEMBER_PREFIX.size())
        return member(text.mid(MEMBER_PREFIX.size()));
    if (text.startsWith(RUNTIME_PREFIX) && text.size() > RUNTIME_PREFIX.size())
        return runtime(text.mid(RUNTIME_PREFIX.size()));
    return std::nullopt;
}

QString Actor::toString() const
{
    switch (m_kind) {
    case Kind::System:
        return SYSTEM.toString();
    case Kind::Policy:
        return POLICY.toString();
    case Kind::Member:
        return MEMBER_PREFIX.toString() + m_id;
    case Kind::Runtime:
        return RUNTIME_PREFIX.toString() + m_id;
    }
    return SYSTEM.toString();
}

} // namespace countersign::audit
