#include "actor.h"

namespace countersign::audit {

namespace {

const QString SYSTEM = QStringLiteral("system");
const QString POLICY = QStringLiteral("policy");
const QString MEMBER_PREFIX = QStringLiteral("member:");
const QString RUNTIME_PREFIX = QStringLiteral("runtime:");

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
        return SYSTEM;
    case Kind::Policy:
        return POLICY;
    case Kind::Member:
        return MEMBER_PREFIX + m_id;
    case Kind::Runtime:
        return RUNTIME_PREFIX + m_id;
    }
    return SYSTEM;
}

} // namespace countersign::audit
