"""conference archive, e-mailed invitations, audit entries outlive their conference

Revision ID: 5e7a1c2b9d40
Revises: 7d1e2f3a4b5c
Create Date: 2026-12-02 02:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e7a1c2b9d40'
down_revision = '7d1e2f3a4b5c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('login_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('opened_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_entry_conference_id_conference', type_='foreignkey')


def downgrade():
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_foreign_key(
            'fk_audit_entry_conference_id_conference', 'conference', ['conference_id'], ['id']
        )
    with op.batch_alter_table('login_token', schema=None) as batch_op:
        batch_op.drop_column('opened_at')
        batch_op.drop_column('sent_at')
    with op.batch_alter_table('conference', schema=None) as batch_op:
        batch_op.drop_column('archived_at')
