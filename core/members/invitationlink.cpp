#include "invitationlink.h"

#include <QUrl>
#include <QUrlQuery>

namespace countersign::members {

namespace {

constexpr qsizetype TOKEN_CHARS = 43; // 32 bytes in unpadded base64url
constexpr qsizetype MAX_LINK_CHARS = 1024;

bool isBase64UrlChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9') || c == u'-' || c == u'_';
}

Error invalid(const QString& why)
{
    return Error{ErrorCode::InvalidArgument, QStringLiteral("not a Countersign invitation link: %1").arg(why)};
}

} // namespace

bool InvitationLink::isTokenForm(QStringView token)
{
    if (token.size() != TOKEN_PREFIX.size() + TOKEN_CHARS || !token.startsWith(TOKEN_PREFIX))
        return false;
    for (const QChar c : token.sliced(TOKEN_PREFIX.size())) {
        if (!isBase64UrlChar(c))
            return false;
    }
    return true;
}

QString InvitationLink::toString() const
{
    QUrl url;
    url.setScheme(QStringLiteral("countersign"));
    url.setHost(host);
    url.setPort(port);
    url.setPath(QStringLiteral("/join"));
    url.setQuery(QStringLiteral("fingerprint=") + QString::fromLatin1(certificateSha256.toHex()));
    url.setFragment(token);
    return url.toString(QUrl::FullyEncoded);
}

Result<InvitationLink> InvitationLink::parse(const QString& text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.size() > MAX_LINK_CHARS)
        return std::unexpected(invalid(QStringLiteral("too long")));
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid())
        return std::unexpected(invalid(url.errorString()));
    if (url.scheme() != u"countersign")
        return std::unexpected(invalid(QStringLiteral("it must start with countersign://")));
    if (!url.userInfo().isEmpty())
        return std::unexpected(invalid(QStringLiteral("it may not carry a user name or password")));
    if (url.host().isEmpty())
        return std::unexpected(invalid(QStringLiteral("it names no host")));
    if (url.port() <= 0)
        return std::unexpected(invalid(QStringLiteral("it names no port")));
    if (url.path() != u"/join")
        return std::unexpected(invalid(QStringLiteral("its path must be /join")));
    const QUrlQuery query(url);
    const auto items = query.queryItems(QUrl::FullyDecoded);
    if (items.size() != 1 || items.first().first != u"fingerprint")
        return std::unexpected(invalid(QStringLiteral("it must carry exactly one fingerprint parameter")));
    const QString hex = items.first().second;
    if (hex.size() != 64 || !std::all_of(hex.cbegin(), hex.cend(),
                                         [](QChar c) { return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'); }))
        return std::unexpected(invalid(QStringLiteral("the fingerprint must be 64 lower-case hex digits")));
    const QString token = url.fragment(QUrl::FullyDecoded);
    if (!isTokenForm(token))
        return std::unexpected(invalid(QStringLiteral("the invitation token is missing or malformed")));
    InvitationLink link;
    link.host = url.host();
    link.port = static_cast<quint16>(url.port());
    link.certificateSha256 = QByteArray::fromHex(hex.toLatin1());
    link.token = token;
    return link;
}

} // namespace countersign::members
