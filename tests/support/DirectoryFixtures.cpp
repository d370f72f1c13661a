// JSON fixtures for TestDirectory, kept out of the moc-scanned test file (moc cannot tokenize raw strings).
#include "DirectoryFixtures.h"

namespace fixtures
{

QByteArray directory0()
{
    return QByteArray(
        R"({"principals":[{"id":"alice","kind":"human","roles":["requester"]}, {"id":"bob","kind":"human","roles":["approver"]}, {"id":"agent-7","kind":"agent","owner":"bob","spiffe_id":"spiffe:)"
        "//"
        R"(example.org/ns/ci/agent-7","roles":["requester"]}, {"id":"api-gw","kind":"service","owner":"bob","roles":["resource-server"]}], "targets":[{"id":"billing-db","kind":"token","privileges":["read","write","ddl"],"max_ttl_seconds":3600,"approvals_required":1}]})");
}
QByteArray directory1()
{
    return QByteArray(R"({"principals":[{"id":"a","roles":["god"]}]})");
}
QByteArray directory2()
{
    return QByteArray(R"({"principals":[{"id":"a","kind":"robot"}]})");
}
QByteArray directory3()
{
    return QByteArray(R"({"principals":[{"id":"a","kind":"agent"}]})");
}
QByteArray directory4()
{
    return QByteArray(
        R"({"principals":[{"id":"h","kind":"human"},{"id":"s","kind":"service","owner":"h"}, {"id":"a","kind":"agent","owner":"s"}]})");
}
QByteArray directory5()
{
    return QByteArray(R"({"principals":[{"id":"a"},{"id":"a"}]})");
}
QByteArray directory6()
{
    return QByteArray(
        R"({"principals":[{"id":"h"},{"id":"w","kind":"workload","owner":"h","spiffe_id":"urn:x"}]})");
}
QByteArray directory7()
{
    return QByteArray(R"({"targets":[{"id":"t","privileges":[]}]})");
}
QByteArray directory8()
{
    return QByteArray(R"({"targets":[{"id":"t","privileges":["r","r"]}]})");
}
QByteArray directory9()
{
    return QByteArray(R"({"targets":[{"id":"t","privileges":["r"],"max_ttl_seconds":0}]})");
}
QByteArray directory10()
{
    return QByteArray(
        R"({"targets":[{"id":"t","privileges":["r"],"max_ttl_seconds":60, "break_glass":{"allowed":true,"max_ttl_seconds":600}}]})");
}
QByteArray directory11()
{
    return QByteArray(R"({"principals":[{"id":"a b"}]})");
}
} // namespace fixtures
