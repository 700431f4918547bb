#include "secretmasking.h"

#include <QJsonArray>
#include <QJsonObject>

#include <array>

namespace countersign::approvals {

bool SecretMasking::looksSecret(const QString& key)
{
    static const std::array<QStringView, 14> FRAGMENTS = {
        u"password", u"passwd",        u"passphrase", u"secret",     u"token",   u"apikey",    u"api_key",
        u"api-key",  u"authorization", u"cookie",     u"credential", u"private", u"signature", u"session"};
    const QString lowered = key.toLower();
    for (QStringView fragment : FRAGMENTS) {
        if (lowered.contains(fragment))
            return true;
    }
    // "key" alone or as a word part ("ssh_key", "accessKey"), but not "keyboard" or "monkey".
    if (lowered == u"key" || lowered.endsWith(u"key") || lowered.endsWith(u"_key") || lowered.endsWith(u"-key") ||
        lowered.endsWith(u"keys"))
        return !lowered.endsWith(u"monkey") && !lowered.endsWith(u"turkey");
    return false;
}

QJsonValue SecretMasking::mask(const QJsonValue& value)
{
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            it.value() = looksSecret(it.key()) ? QJsonValue(MASK) : mask(it.value());
        return object;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            array[i] = mask(array.at(i));
        return array;
    }
    return value;
}

int SecretMasking::countSecrets(const QJsonValue& value)
{
    int count = 0;
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            count += looksSecret(it.key()) ? 1 : countSecrets(it.value());
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (const QJsonValue& element : array)
            count += countSecrets(element);
    }
    return count;
}

} // namespace countersign::approvals
