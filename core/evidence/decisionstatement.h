#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace countersign::crypto {
class SigningKey;
}

namespace countersign::audit {

/// What an approver signs when deciding: the request, the exact
/// payload digest, the verdict, the reason and the time, by member. The signed bytes are the
/// canonical JSON of toJson(), so a runtime holding a receipt can check who decided even if the
/// server's database were altered.
///
/// The statement names the instance (its origin, which names its public key): a decision signed
/// for one instance is not one on another, whatever ids they share.
///
/// Version 3 signs the digest of the payload's view instead of the payload's (PayloadView: what
/// the member was shown, masked values as salted commitments), so a member signs exactly what
/// they saw of a payload with masked values and never needs its payload digest, which would let
/// them test guesses of those values. Version 2 remains for payloads with nothing masked.
struct DecisionStatement final {
    inline static const QString TYPE = QStringLiteral("countersign-decision/2");
    inline static const QString TYPE_VIEW = QStringLiteral("countersign-decision/3");

    QString requestId;
    QString memberId;
    QString payloadSha256; // lower-case hex
    bool approve = false;
    QString reason;
    qint64 decidedAtMs = 0;
    QString instance;        // the instance's origin, "countersign/<hex>" (Checkpoint::originFor)
    QString viewSha256 = {}; // lower-case hex; when set, the statement is version 3 and names no payload digest

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] QByteArray signedBytes() const;
    [[nodiscard]] QByteArray sign(const crypto::SigningKey& key) const;
    [[nodiscard]] bool verify(const QByteArray& publicKey, const QByteArray& signature) const;
};

} // namespace countersign::audit
