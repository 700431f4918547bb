#pragma once

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace countersign::cli {

/// `team` (the team listener) and `member` (members and invitations): administration on the
/// vault for owners and admins, and the member's own side for people who joined with an
/// invitation link: `member join LINK`, then `queue`, `show`, `approve`, `deny`, `watch`.
class MemberCommands final {
public:
    MemberCommands(QString dataDir, bool json);
    [[nodiscard]] int team(const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int member(const QStringList& args, const QCommandLineParser& parser);

private:
    [[nodiscard]] int administer(const QString& command, const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int join(const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int remote(const QString& command, const QStringList& args, const QCommandLineParser& parser);

    QString m_dataDir;
    bool m_json = false;
};

} // namespace countersign::cli
