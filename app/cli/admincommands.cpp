#include "admincommands.h"

#include "approvals/requestevents.h"
#include "approvals/runtimeregistry.h"
#include "approvals/services.h"
#include "exitcode.h"
#include "output.h"
#include "policy/policystore.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>

namespace countersign::cli {

namespace {

QString when(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                  : QStringLiteral("never");
}

} // namespace

AdminCommands::AdminCommands(AdminTarget target, bool json)
    : m_target(std::move(target))
    , m_json(json)
{
}

int AdminCommands::runtime(const QStringList& args, const QCommandLineParser& parser)
{
    const QString command = args.value(0);
    if (command != u"add" && command != u"list" && command != u"revoke")
        return printError(m_json,
                          Error{ErrorCode::InvalidArgument,
                                QStringLiteral("unknown runtime command '%1' (add, list, revoke)").arg(command)});
    if ((command == u"add" || command == u"revoke") && args.size() != 2)
        return printError(m_json,
                          Error{ErrorCode::InvalidArgument,
                                QStringLiteral("usage: runtime %1 NAME%2")
                                    .arg(command, command == u"add" ? QStringLiteral(" --allow GLOB...") : QString())});
    if (command == u"add" && parser.values(QStringLiteral("allow")).isEmpty())
        return printError(m_json, Error{ErrorCode::InvalidArgument, QStringLiteral("runtime add needs --allow GLOB")});
    auto session = AdminSession::open(m_target);
    if (!session)
        return printError(m_json, session.error());
    approvals::RuntimeRegistry& registry = (*session)->services().runtimes();
    const QString actor = (*session)->ownerActor();

    if (command == u"add") {
        const QStringList globs = parser.values(QStringLiteral("allow"));
        auto token = registry.registerRuntime(args.at(1), globs, actor, parser.value(QStringLiteral("acts-for")));
        if (!token)
            return printError(m_json, token.error());
        printResult(
            m_json,
            QStringLiteral("registered runtime %1 (allowed: %2)\n\n    %3\n\nThis token is shown once; store it "
                           "now (e.g. in a file read through COUNTERSIGN_TOKEN_FILE).")
                .arg(args.at(1), globs.join(QStringLiteral(", ")), *token),
            QJsonObject{{QStringLiteral("name"), args.at(1)},
                        {QStringLiteral("allowed"), QJsonArray::fromStringList(globs)},
                        {QStringLiteral("token"), *token}});
        return EXIT_OK;
    }
    if (command == u"revoke") {
        if (auto revoked = registry.revoke(args.at(1), actor); !revoked)
            return printError(m_json, revoked.error());
        printResult(m_json, QStringLiteral("revoked runtime %1").arg(args.at(1)),
                    QJsonObject{{QStringLiteral("revoked"), args.at(1)}});
        return EXIT_OK;
    }
    auto runtimes = registry.list();
    if (!runtimes)
        return printError(m_json, runtimes.error());
    QJsonArray array;
    QStringList lines;
    for (const approvals::RuntimeInfo& info : std::as_const(*runtimes)) {
        array.append(QJsonObject{{QStringLiteral("name"), info.name},
                                 {QStringLiteral("allowed"), QJsonArray::fromStringList(info.allowedCapabilities)},
                                 {QStringLiteral("revoked"), info.revokedAt > 0},
                                 {QStringLiteral("last_seen_at"), info.lastSeenAt},
                                 {QStringLiteral("requests"), info.requestCount}});
        lines.append(QStringLiteral("%1  %2  allowed: %3  last seen: %4  requests: %5")
                         .arg(info.name, info.revokedAt > 0 ? QStringLiteral("revoked") : QStringLiteral("active"),
                              info.allowedCapabilities.join(QStringLiteral(", ")), when(info.lastSeenAt))
                         .arg(info.requestCount));
    }
    printResult(m_json, lines.isEmpty() ? QStringLiteral("no runtimes registered") : lines.join(u'\n'),
                QJsonObject{{QStringLiteral("runtimes"), array}});
    return EXIT_OK;
}

int AdminCommands::policy(const QStringList& args, const QCommandLineParser& parser)
{
    const QString command = args.value(0);
    if (command != u"add" && command != u"list" && command != u"remove")
        return printError(m_json,
                          Error{ErrorCode::InvalidArgument,
                                QStringLiteral("unknown policy command '%1' (list, add, remove)").arg(command)});
    policy::PolicyRule rule;
    int removeIndex = -1;
    if (command == u"add") {
        if (args.size() != 2)
            return printError(m_json, Error{ErrorCode::InvalidArgument,
                                            QStringLiteral("usage: policy add GLOB (--require N | --allow | --deny) "
                                                           "[--min-risk R] [--risk-floor R] [--timeout SECONDS]")});
        rule.capabilityGlob = args.at(1);
        const int outcomes = int(parser.isSet(QStringLiteral("require"))) + int(parser.isSet(QStringLiteral("allow"))) +
                             int(parser.isSet(QStringLiteral("deny")));
        if (outcomes != 1)
            return printError(m_json, Error{ErrorCode::InvalidArgument,
                                            QStringLiteral("give exactly one of --require N, --allow, --deny")});
        if (parser.isSet(QStringLiteral("require"))) {
            bool ok = false;
            rule.approvals = parser.value(QStringLiteral("require")).toInt(&ok);
            if (!ok)
                return printError(m_json,
                                  Error{ErrorCode::InvalidArgument, QStringLiteral("--require takes a number")});
        }
        rule.outcome = parser.isSet(QStringLiteral("deny"))    ? policy::PolicyRule::Outcome::Deny
                       : parser.isSet(QStringLiteral("allow")) ? policy::PolicyRule::Outcome::Allow
                                                               : policy::PolicyRule::Outcome::Require;
        if (parser.isSet(QStringLiteral("min-risk"))) {
            rule.minimumRisk = policy::parseRisk(parser.value(QStringLiteral("min-risk")));
            if (!rule.minimumRisk)
                return printError(m_json, Error{ErrorCode::InvalidArgument,
                                                QStringLiteral("--min-risk is low, medium, high or critical")});
        }
        if (parser.isSet(QStringLiteral("risk-floor"))) {
            rule.riskFloor = policy::parseRisk(parser.value(QStringLiteral("risk-floor")));
            if (!rule.riskFloor)
                return printError(m_json, Error{ErrorCode::InvalidArgument,
                                                QStringLiteral("--risk-floor is low, medium, high or critical")});
        }
        if (parser.isSet(QStringLiteral("timeout"))) {
            bool ok = false;
            rule.timeoutSeconds = parser.value(QStringLiteral("timeout")).toInt(&ok);
            if (!ok)
                return printError(m_json, Error{ErrorCode::InvalidArgument, QStringLiteral("--timeout takes seconds")});
        }
        if (auto valid = policy::PolicyStore::validate(rule); !valid)
            return printError(m_json, valid.error());
    } else if (command == u"remove") {
        bool ok = false;
        removeIndex = args.value(1).toInt(&ok) - 1; // people count rules from 1, as `policy list` shows them
        if (!ok || args.size() != 2)
            return printError(m_json, Error{ErrorCode::InvalidArgument, QStringLiteral("usage: policy remove INDEX")});
    }
    auto session = AdminSession::open(m_target);
    if (!session)
        return printError(m_json, session.error());
    policy::PolicyStore& store = (*session)->services().policies();
    const QString actor = (*session)->ownerActor();
    if (command == u"add") {
        auto id = store.add(rule, actor);
        if (!id)
            return printError(m_json, id.error());
        printResult(m_json, QStringLiteral("added rule: %1").arg(rule.describe()), rule.toJson());
        return EXIT_OK;
    }
    if (command == u"remove") {
        if (auto removed = store.remove(removeIndex, actor); !removed)
            return printError(m_json, removed.error());
        printResult(m_json, QStringLiteral("removed rule %1").arg(removeIndex + 1),
                    QJsonObject{{QStringLiteral("removed"), removeIndex + 1}});
        return EXIT_OK;
    }
    auto rules = store.rules();
    if (!rules)
        return printError(m_json, rules.error());
    QJsonArray array;
    QStringList lines;
    for (qsizetype i = 0; i < rules->size(); ++i) {
        array.append(rules->at(i).toJson());
        lines.append(QStringLiteral("%1. %2").arg(i + 1).arg(rules->at(i).describe()));
    }
    lines.append(QStringLiteral("(no match: %1)").arg(policy::PolicyRule::fallback().describe()));
    printResult(m_json, lines.join(u'\n'), QJsonObject{{QStringLiteral("rules"), array}});
    return EXIT_OK;
}

} // namespace countersign::cli
