#include "teamkeysource.h"

#include "team/teamkey.h"
#include "vault/passphrasereader.h"

namespace countersign::application {

Result<team::TeamKey> TeamKeySource::read(const QString& credentialName, bool newTeam)
{
    if (!credentialName.isEmpty())
        return team::TeamKey::fromCredential(credentialName);
    const QString prompt = QStringLiteral("Team passphrase: ");
    auto passphrase = newTeam ? vault::PassphraseReader::readNew(PASSPHRASE_FILE, prompt)
                              : vault::PassphraseReader::read(PASSPHRASE_FILE, prompt);
    COUNTERSIGN_TRY(passphrase);
    return team::TeamKey::passphrase(std::move(*passphrase));
}

} // namespace countersign::application
