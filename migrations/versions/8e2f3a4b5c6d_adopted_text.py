"""adopted text: the adopted resolution frozen as a record

Revision ID: 8e2f3a4b5c6d
Revises: a7e3c1d9b2f4
Create Date: 2026-12-02 03:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e2f3a4b5c6d'
down_revision = 'a7e3c1d9b2f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('adopted_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resolution_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['resolution_id'], ['resolution.id'], name=op.f('fk_adopted_text_resolution_id_resolution'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adopted_text')),
    sa.UniqueConstraint('resolution_id', name=op.f('uq_adopted_text_resolution_id'))
    )


def downgrade():
    op.drop_table('adopted_text')
