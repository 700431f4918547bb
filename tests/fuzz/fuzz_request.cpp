// JSON bodies into request-creation validation: whatever it accepts must be a request the
// service could store (bounded sizes, a canonical payload whose digest matches).
#include "approvals/request.h"
#include "approvals/requestservice.h"
#include "crypto/crypto.h"
#include "json/canonicaljson.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <cstdint>
#include <cstdlib>

using namespace countersign;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const qsizetype split = bytes.indexOf('\n');
    const QString idempotencyKey = split < 0 ? QString() : QString::fromUtf8(bytes.left(split));
    const QJsonDocument document = QJsonDocument::fromJson(split < 0 ? bytes : bytes.mid(split + 1));
    if (!document.isObject())
        return 0;
    const approvals::RuntimeIdentity runtime{
        1, QStringLiteral("fuzz"), {QStringLiteral("deploy.*"), QStringLiteral("db.**")}};
    auto request = approvals::RequestService::validateCreation(runtime, document.object(), idempotencyKey);
    if (!request)
        return 0;
    if (request->summary.isEmpty() || request->summary.size() > approvals::RequestService::MAX_SUMMARY_CHARS ||
        request->payload.size() > approvals::RequestService::MAX_PAYLOAD_BYTES ||
        request->payloadSha256 != QString::fromLatin1(crypto::sha256(request->payload).toHex()) ||
        json::canonicalJson(QJsonDocument::fromJson("[" + request->payload + "]").array().at(0)) != request->payload)
        std::abort();
    return 0;
}
