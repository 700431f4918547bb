#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace countersign::crypto {
class SigningKey;
}

namespace countersign::approvals {

/// What an approver signs when deciding (issue: signed decisions): the request, the exact
/// payload digest, the verdict, the reason and the time, by member. The signed bytes are the
/// canonical JSON of toJson(), so a runtime holding a receipt can check who decided even if the
/// server's database were altered.
///
/// The statement names the instance (its origin, which names its public key): a decision signed
/// for one instance is not one on another, whatever ids they share.
struct DecisionStatement final {
    inline static const QString TYPE = QStringLiteral("countersign-decision/2");

    QString requestId;
    QString memberId;
    QString payloadSha256; // lower-case hex
    bool approve = false;
    QString reason;
    qint64 decidedAtMs = 0;
    QString instance; // the instance's origin, "countersign/<hex>" (audit::Checkpoint::originFor)

    [[nodiscard]] QJsonObject toJson() const;
    [[nodiscard]] QByteArray signedBytes() const;
    [[nodiscard]] QByteArray sign(const crypto::SigningKey& key) const;
    [[nodiscard]] bool verify(const QByteArray& publicKey, const QByteArray& signature) const;
};

} // namespace countersign::approvals
