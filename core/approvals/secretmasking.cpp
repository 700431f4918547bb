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

namespace {

/// RFC 6901 section 3: "~" is written "~0" and "/" is written "~1" in a reference token.
QString pointerToken(const QString& key)
{
    QString token = key;
    token.replace(u'~', QStringLiteral("~0"));
    token.replace(u'/', QStringLiteral("~1"));
    return token;
}

QJsonValue maskAt(const QJsonValue& value, const QString& pointer, const QStringList& shown)
{
    if (value.isObject()) {
        QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString at = pointer + u'/' + pointerToken(it.key());
            if (SecretMasking::looksSecret(it.key()))
                it.value() = shown.contains(at) ? it.value() : QJsonValue(SecretMasking::MASK);
            else
                it.value() = maskAt(it.value(), at, shown);
        }
        return object;
    }
    if (value.isArray()) {
        QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            array[i] = maskAt(array.at(i), pointer + u'/' + QString::number(i), shown);
        return array;
    }
    return value;
}

void collect(const QJsonValue& value, const QString& pointer, QStringList& fields)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString at = pointer + u'/' + pointerToken(it.key());
            if (SecretMasking::looksSecret(it.key()))
                fields << at;
            else
                collect(it.value(), at, fields);
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            collect(array.at(i), pointer + u'/' + QString::number(i), fields);
    }
}

} // namespace

QJsonValue SecretMasking::mask(const QJsonValue& value)
{
    return maskAt(value, QString(), {});
}

QJsonValue SecretMasking::mask(const QJsonValue& value, const QStringList& shown)
{
    return maskAt(value, QString(), shown);
}

QStringList SecretMasking::secretFields(const QJsonValue& value)
{
    QStringList fields;
    collect(value, QString(), fields);
    return fields;
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
