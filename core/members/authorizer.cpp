#include "authorizer.h"

namespace countersign::members {

Result<void> Authorizer::authorize(const QString& actor, Permission permission) const
{
    return authorize(audit::Actor::parse(actor).value_or(audit::Actor::system()), permission);
}

} // namespace countersign::members
