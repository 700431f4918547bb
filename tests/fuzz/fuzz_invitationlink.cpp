// Invitation links: whatever the parser accepts prints back to a link that parses the same.
#include "members/invitationlink.h"

#include <cstdint>
#include <cstdlib>

using countersign::members::InvitationLink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    auto link = InvitationLink::parse(text);
    if (!link)
        return 0;
    auto again = InvitationLink::parse(link->toString());
    if (!again || again->host != link->host || again->port != link->port ||
        again->certificateSha256 != link->certificateSha256 || again->token != link->token)
        std::abort();
    return 0;
}
