#pragma once

#include "adminsession.h"

#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace countersign::cli {

/// `team`: on a vault, the desktop's team listener (`team enable|disable|status`); on a team's
/// database (`--database URL`), `team init`, which sets the team up with its first owner
/// (docs/team-server.md, "Administering a team").
class TeamCommands final {
public:
    TeamCommands(AdminTarget target, bool json);
    [[nodiscard]] int run(const QStringList& args, const QCommandLineParser& parser);

private:
    [[nodiscard]] int init(const QCommandLineParser& parser);
    [[nodiscard]] int listener(const QString& command, const QCommandLineParser& parser);

    AdminTarget m_target;
    bool m_json = false;
};

} // namespace countersign::cli
