#include "common/requestdetail.h"

#include "approvals/request.h"
#include "approvals/secretmasking.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

namespace countersign::ui {

namespace {

QString tr(const char* text, int n = -1)
{
    return QCoreApplication::translate("RequestDetail", text, nullptr, n);
}

QString prettyJson(const QJsonValue& value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented));
    const QByteArray scalar = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(scalar.mid(1, scalar.size() - 2));
}

QString when(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}

} // namespace

QString runtimeWords(const approvals::Request& request)
{
    QStringList lines;
    bool blank = true; // no blank line at the top either
    auto add = [&](const QString& line) {
        const QString kept = line.trimmed().isEmpty() ? QString() : line;
        if (kept.isEmpty() && blank)
            return;
        blank = kept.isEmpty();
        lines << kept;
    };
    for (const QString& line : request.details.split(u'\n'))
        add(line);
    for (auto it = request.context.constBegin(); it != request.context.constEnd(); ++it)
        add(tr("%1: %2").arg(it.key(), it.value().toVariant().toString()));
    while (!lines.isEmpty() && lines.last().isEmpty())
        lines.removeLast();
    return lines.join(u'\n');
}

QString payloadText(const approvals::Request& request, const QStringList& shown)
{
    const QJsonValue payload = QJsonDocument::fromJson('[' + request.payload + ']').array().at(0);
    return prettyJson(approvals::SecretMasking::mask(payload, shown));
}

QStringList secretFields(const approvals::Request& request)
{
    return approvals::SecretMasking::secretFields(QJsonDocument::fromJson('[' + request.payload + ']').array().at(0));
}

int secretCount(const approvals::Request& request)
{
    return approvals::SecretMasking::countSecrets(QJsonDocument::fromJson('[' + request.payload + ']').array().at(0));
}

QString describeRequest(const approvals::Request& request, bool revealed)
{
    const QJsonValue payload = QJsonDocument::fromJson('[' + request.payload + ']').array().at(0);
    const int secrets = approvals::SecretMasking::countSecrets(payload);
    // The policy's floor may have raised what the runtime declared: show both.
    const QString risk = request.requestedRisk == request.risk
                             ? policy::riskName(request.risk)
                             : tr("%1 (the runtime declared %2; the policy's floor raised it)")
                                   .arg(policy::riskName(request.risk), policy::riskName(request.requestedRisk));
    QStringList lines{tr("Summary: %1").arg(request.summary),
                      tr("Runtime: %1   Capability: %2   Risk: %3").arg(request.runtimeName, request.capability, risk),
                      tr("Policy: %1   Approvals: %2/%3")
                          .arg(request.policyRule)
                          .arg(request.approvalCount())
                          .arg(request.requiredApprovals),
                      tr("State: %1   Asked: %2").arg(stateName(request.state), when(request.createdAt))};
    lines << QString() << tr("Payload (SHA-256 %1):").arg(request.payloadSha256);
    if (secrets > 0)
        lines << (revealed ? tr("%n secret-looking field(s) revealed; this was recorded in the audit chain.", secrets)
                           : tr("%n secret-looking field(s) masked.", secrets));
    lines << prettyJson(revealed ? payload : approvals::SecretMasking::mask(payload));
    for (const approvals::Decision& decision : request.decisions)
        lines << tr("%1 by %2 at %3: %4")
                     .arg(decision.approve ? tr("Approved") : tr("Denied"), decision.memberName,
                          when(decision.decidedAt), decision.reason);
    // Last, fenced and labelled: what the runtime wrote cannot pass for the fields above.
    if (const QString words = runtimeWords(request); !words.isEmpty()) {
        const QString fence(32, u'-');
        lines << QString() << tr("Runtime says:") << fence;
        for (const QString& line : words.split(u'\n'))
            lines << QStringLiteral("| ") + line;
        lines << fence;
    }
    return lines.join(u'\n');
}

} // namespace countersign::ui
