#include "payloadviews.h"

#include "crypto/crypto.h"
#include "crypto/hmacsha256.h"
#include "crypto/securebuffer.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace countersign::approvals {

PayloadViews::PayloadViews()
{
    QByteArray random = crypto::randomBytes(crypto::SHA256_SIZE);
    m_salts = std::make_unique<crypto::HmacSha256>(crypto::SecureBuffer::takeFrom(random));
}

PayloadViews::~PayloadViews() = default;

void PayloadViews::setKey(const crypto::SecureBuffer& key)
{
    m_salts = std::make_unique<crypto::HmacSha256>(key);
}

PayloadView PayloadViews::of(const Request& request) const
{
    return PayloadView::of(QJsonDocument::fromJson('[' + request.payload + ']').array().at(0), *m_salts, request.id);
}

std::pair<QString, QString> PayloadViews::loggedDigest(const Request& request) const
{
    const PayloadView view = of(request);
    if (view.masked > 0)
        return {QStringLiteral("view_sha256"), view.sha256};
    return {QStringLiteral("payload_sha256"), request.payloadSha256};
}

} // namespace countersign::approvals
