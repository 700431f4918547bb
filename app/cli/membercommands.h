#pragma once

#include "adminsession.h"

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace countersign::cli {

/// `member` (members and invitations): administration on the vault or a team's database for
/// owners and admins, and the member's own side for people who joined with an
/// invitation link: `member join LINK`, then `queue`, `show`, `approve`, `deny`, `watch`.
class MemberCommands final {
public:
    MemberCommands(AdminTarget target, bool json);
    [[nodiscard]] int member(const QStringList& args, const QCommandLineParser& parser);

private:
    [[nodiscard]] int administer(const QString& command, const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int join(const QStringList& args, const QCommandLineParser& parser);
    [[nodiscard]] int remote(const QString& command, const QStringList& args, const QCommandLineParser& parser);

    AdminTarget m_target;
    bool m_json = false;
};

} // namespace countersign::cli
